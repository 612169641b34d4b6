#!/usr/bin/env bash
# Runs libFuzzer targets of a fuzz build (cmake -DCMAKE_C_COMPILER=clang -DONSHI_FUZZ=ON).
# Usage: tests/fuzz/run.sh TARGET|all [SECONDS] [libFuzzer options...]
#   TARGET: bulk_csv, xmlmsg, jpki, router, input, dates, names, config (all: each in turn)
#   SECONDS: how long each target runs (default 60)
# FUZZ_BUILD_DIR: the fuzz build (default build-fuzz at the repository root). Each target
# reads the committed seeds in tests/fuzz/corpus/TARGET/ and writes new inputs to
# $FUZZ_BUILD_DIR/fuzz-corpus/TARGET/ only; a crash leaves its input in
# $FUZZ_BUILD_DIR/fuzz-artifacts/ (add it to the committed corpus once the bug is fixed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILD_DIR:-$here/../../build-fuzz}
targets=(bulk_csv xmlmsg jpki router input dates names config)

if [ $# -lt 1 ]; then
  sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
target=$1
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))

run_one() { # name, extra options...
  local name=$1; shift
  local bin=$build/tests/fuzz/fuzz_$name
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin not built (cmake -DCMAKE_C_COMPILER=clang -DONSHI_FUZZ=ON, then --target fuzz)" >&2
    return 2
  fi
  mkdir -p "$build/fuzz-corpus/$name" "$build/fuzz-artifacts"
  # Leaks fail the run; UBSan reports abort it (both become a crash input).
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0 \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1 \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$name-" "$@" \
      "$build/fuzz-corpus/$name" "$here/corpus/$name"
}

if [ "$target" = all ]; then
  status=0
  for t in "${targets[@]}"; do
    echo "== fuzz $t (${seconds}s) =="
    run_one "$t" "$@" || status=1
  done
  exit $status
fi
for t in "${targets[@]}"; do
  if [ "$t" = "$target" ]; then
    run_one "$target" "$@"
    exit $?
  fi
done
echo "fuzz: unknown target '$target' (${targets[*]} or all)" >&2
exit 2
