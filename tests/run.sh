#!/usr/bin/env bash
# The test command: installs what is needed, builds the release and the sanitizer
# (ASan + UBSan) builds with -Werror, and runs the whole suite (cmocka unit tests and
# HTTP-level tests against the real onshid and a throwaway PostgreSQL, browser tests with
# Debian's chromium) in both; then the Debian package (tests/package), the threaded tests in
# a ThreadSanitizer build and clang-tidy (.clang-tidy) over the C sources.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-deps.sh test

# The browser tests' npm packages, exactly as package-lock.json pins them (a fresh clone has
# none); skipped when node_modules already matches the lock. npm ci never downloads a browser.
e2e=tests/e2e
if ! cmp -s "$e2e/package-lock.json" "$e2e/node_modules/.package-lock.json.ci" 2>/dev/null; then
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$e2e/package-lock.json" "$e2e/node_modules/.package-lock.json.ci"
fi

# Formatting is part of the suite: .clang-format is the house style.
sources=$(git ls-files 'server/*.c' 'server/*.h' 'tests/*.c')
clang-format --dry-run -Werror $sources

jobs=$(nproc)
build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DONSHI_WERROR=ON -DONSHI_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" >/dev/null
}
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
build build-asan -DCMAKE_BUILD_TYPE=Debug -DONSHI_SANITIZE=ON
# libFuzzer targets over the pure parsers (tests/fuzz), clang with ASan + UBSan: only they
# are built in this tree, and each runs briefly over its committed corpus (tests/fuzz/run.sh
# for long runs).
cmake -S . -B build-fuzz -DONSHI_WERROR=ON -DONSHI_TESTS=OFF -DONSHI_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --target fuzz -j "$jobs" >/dev/null
build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONSHI_TSAN=ON

# Any sanitizer report fails the test that triggered it (UBSan aborts; LSan exits non-zero).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
for dir in build build-asan; do
  echo "== ctest in $dir =="
  (cd "$dir" && ctest --output-on-failure -j 2) || status=1
done
# The Debian package built, installed, started as onshid.service would, removed and purged
# (it needs root, as in CI; elsewhere it says SKIP and the rest still counts).
echo "== Debian package (tests/package) =="
package=0
bash tests/package/run.sh || package=$?
case $package in
  0) ;;
  77) echo "tests/package: SKIPPED (not root)" ;;
  *) status=1 ;;
esac
echo "== fuzz targets in build-fuzz =="
(cd build-fuzz && ctest -L fuzz --output-on-failure -j 2) || status=1

# ThreadSanitizer: the unit tests of code that starts threads or takes locks, and the API tests
# whose onshid works on several threads at once (HTTP threads, hashing workers, bulk jobs,
# history downloads, the reader bridge, shutdown). A report halts onshid and the harness fails
# the test file that saw it; tests/tsan.supp holds the third-party reports it ignores.
tsan_tests='^(unit_test_(http_dispatch|reader_bridge|rate_limit|password_hash|config|worker|session_cache)'
tsan_tests+='|api_(accounts|bulk|bulk_check|session|history|history_shares|readers|lifecycle|hash_helper'
tsan_tests+='|events|session_cache))$'
tsan_options="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
echo "== ctest in build-tsan (ThreadSanitizer) =="
(cd build-tsan && TSAN_OPTIONS=$tsan_options ctest --output-on-failure -j 2 -R "$tsan_tests") ||
  status=1

# Static analysis: .clang-tidy's checks over every C source the release build compiles (its
# compile_commands.json), $jobs at a time; any finding fails the run.
echo "== clang-tidy =="
grep -o '"file": *"[^"]*"' build/compile_commands.json | sed 's/.*"\(.*\)"$/\1/' |
  grep "^$PWD/\(server\|tests\)/" | sort -u |
  xargs -P "$jobs" -n 4 clang-tidy -p build --quiet 2> >(grep -v ' generated\.$' >&2) ||
  status=1
exit $status
