#!/usr/bin/env bash
# Installs the Debian 12 packages onshi needs to build, run and test. Idempotent: when
# everything is present it changes nothing; otherwise it runs apt-get update + install.
# Usage: packaging/install-deps.sh [build|run|test|bench|cluster]...   (default: test)
set -euo pipefail

build=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libpq-dev
       libssl-dev libsodium-dev libcsv-dev libcairo2-dev libfontconfig-dev libqrencode-dev libpng-dev libpcsclite-dev
       libsystemd-dev libgnutls28-dev)
run=("${build[@]}" postgresql postgresql-client curl openssl fonts-ipaexfont-gothic fonts-dejavu-core pcscd)
# chromium and npm: the browser tests (tests/e2e) drive Debian's chromium, with the npm packages
# of tests/e2e/package-lock.json; Japanese text renders in IPAex Gothic (run set).
test=("${run[@]}" libcmocka-dev nodejs npm clang-format git poppler-utils python3-yaml zbar-tools vsmartcard-vpcd chromium)
# The fuzz targets (tests/fuzz): clang, and libclang-rt-14-dev for libFuzzer's runtime.
test+=(clang libclang-rt-14-dev)
# clang-tidy: the static analysis of tests/run.sh (.clang-tidy). ThreadSanitizer's runtime
# (libtsan2) comes with gcc, from build-essential.
test+=(clang-tidy)
# The Debian package (tests/package): debhelper builds it, lintian checks it, systemd's
# systemd-analyze verifies its unit; gnutls-bin's certtool makes the HTTPS test's CA.
test+=(debhelper fakeroot lintian systemd gnutls-bin)
# HAProxy: the cluster API tests run three onshid behind packaging/haproxy/haproxy.cfg.
test+=(haproxy)
bench=("${test[@]}" wrk)
# The failover test (tests/failover): Patroni manages PostgreSQL, with one etcd member.
cluster=("${test[@]}" patroni etcd-server python3-psycopg2)

want=()
for set in "${@:-test}"; do
  case "$set" in
    build) want+=("${build[@]}") ;;
    run) want+=("${run[@]}") ;;
    test) want+=("${test[@]}") ;;
    bench) want+=("${bench[@]}") ;;
    cluster) want+=("${cluster[@]}") ;;
    *) echo "install-deps: unknown set '$set' (build, run, test, bench, cluster)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
# node is sometimes installed outside Debian's package (with its own npm); any node >= 18 will do.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# Debian starts a cluster on install where it can; onshi runs its own private ones instead.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
