#!/usr/bin/env bash
# The soak (tests/soak/soak.mjs): a mixed load on one onshid of the release build in ./build
# for MINUTES (default 10), reporting errors and memory over time. Not part of the test command.
# Usage: bash tests/soak/run.sh [MINUTES]    Env: SOAK_READERS (4)
set -euo pipefail
cd "$(dirname "$0")/../.."

bash packaging/install-deps.sh bench

if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -DONSHI_WERROR=ON
fi
make -C build -j2 --no-print-directory >/dev/null

export TEST_BUILD_DIR="$PWD/build"
export SOAK_MINUTES="${1:-${SOAK_MINUTES:-10}}"
exec node tests/soak/soak.mjs
