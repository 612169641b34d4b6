#!/usr/bin/env bash
# Runs every benchmark in tests/bench/ against the release build in ./build.
# Env: BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_ROUNDS (see each *.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash packaging/install-deps.sh bench

# Configure only when there is no build yet (CMakeLists defaults to RelWithDebInfo, -O2);
# make is always run, and is a no-op when up to date.
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -DONSHI_WERROR=ON
fi
# Sanitizer builds are several times slower: their figures would mislead.
if grep -q '^ONSHI_SANITIZE:BOOL=ON' build/CMakeCache.txt; then
  echo "run.sh: build/ is a sanitizer build; reconfigure with -DONSHI_SANITIZE=OFF" >&2
  exit 1
fi
make -C build -j2 --no-print-directory >/dev/null

export TEST_BUILD_DIR="$PWD/build"
status=0
for bench in tests/bench/*.mjs; do
  echo "== $bench"
  node "$bench" || status=1 # run the others too, but report the failure
done
exit "$status"
