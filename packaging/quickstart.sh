#!/usr/bin/env bash
# The run command: installs what is needed, builds, starts a private PostgreSQL under
# .local/ (reused on the next run), migrates, creates the demo institution when missing,
# then runs onshid in the foreground and prints where to sign in. Ctrl-C stops both.
# Environment: PORT (default 8080), QUICKSTART_DIR (state directory, default ./.local;
# as root, /var/lib/onshi-quickstart when the postgres user cannot reach ./.local).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash packaging/install-deps.sh run
# An existing build (for example the test command's) is reused as it is configured.
[ -f build/CMakeCache.txt ] ||
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONSHI_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target onshid onshictl webui >/dev/null

port=${PORT:-8080}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# PostgreSQL refuses to run as root: then the cluster belongs to the postgres user, who
# must be able to reach the state directory (a checkout under /root is out of its reach,
# so root's default state directory is then /var/lib/onshi-quickstart).
as_pg=()
pg_user=$(id -un)
local_dir=${QUICKSTART_DIR:-$repo/.local}
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  pg_user=postgres
  mkdir -p "$local_dir"
  if ! runuser -u postgres -- test -x "$local_dir"; then
    if [ -n "${QUICKSTART_DIR:-}" ]; then
      echo "quickstart: the postgres user cannot reach $local_dir; choose a QUICKSTART_DIR it can use" >&2
      exit 1
    fi
    local_dir=/var/lib/onshi-quickstart
  fi
fi
mkdir -p "$local_dir"
local_dir=$(cd "$local_dir" && pwd)
pgdata=$local_dir/pgdata
sock=$local_dir/pgsock
if [ ! -s "$pgdata/PG_VERSION" ]; then
  mkdir -p "$pgdata" "$sock"
  [ ${#as_pg[@]} -eq 0 ] || chown postgres: "$pgdata" "$sock"
  "${as_pg[@]}" "$pgbin/initdb" -D "$pgdata" -A trust -U "$pg_user" -E UTF8 --locale=C.UTF-8 >/dev/null
fi
# Stop the cluster at the end only if this run started it (another run may be using it).
started_pg=false
if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-k $sock -c listen_addresses=''" start >/dev/null
  started_pg=true
fi
stop_pg() {
  $started_pg || return 0
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
}
trap stop_pg EXIT

export ONSHI_DATABASE_URL="host=$sock user=$pg_user dbname=onshi"
psql -X -q -d "host=$sock user=$pg_user dbname=postgres" -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'onshi'" | grep -q 1 ||
  psql -X -q -d "host=$sock user=$pg_user dbname=postgres" -c "CREATE DATABASE onshi"
./build/onshictl migrate

# Bulk registration results hold initial passwords and are stored encrypted with this key.
key_file=$local_dir/result.key
[ -s "$key_file" ] || (umask 077 && openssl rand -hex 32 >"$key_file")

# The initial passwords are printed only when the demo is created; keep them for later runs.
creds=$local_dir/demo-credentials.txt
demo=$(./build/onshictl demo)
if ! grep -q "already exists" <<<"$demo"; then
  (umask 077 && printf '%s\n' "$demo" >"$creds")
fi

cat <<EOF

onshi is starting at http://localhost:$port/   (readiness: http://localhost:$port/readyz)
Demo institution 1319900019 (onshi デモ診療所), environment: verification (接続検証環境)
$(cat "$creds" 2>/dev/null || echo "(demo credentials file $creds is missing)")
(Saved in $creds; initial passwords must be changed at first sign-in.)
Press Ctrl-C to stop.

EOF
ONSHI_PORT=$port ONSHI_ENVIRONMENT=verification ONSHI_STATIC_DIR=$repo/build/webui \
  ONSHI_RESULT_KEY_FILE="$key_file" \
  ONSHI_PUBLIC_BASE_URL="http://localhost:$port" ./build/onshid &
onshid_pid=$!
stopping=false
trap 'stopping=true; kill -TERM $onshid_pid 2>/dev/null' INT TERM
status=0
wait $onshid_pid || status=$?
# A signal interrupts the first wait; collect onshid's own exit status.
if $stopping; then
  status=0
  wait $onshid_pid || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "quickstart: onshid exited with status $status (see its messages above)" >&2
  exit "$status"
fi
