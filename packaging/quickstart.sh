#!/usr/bin/env bash
# The run command: installs what is needed, builds, starts a private PostgreSQL under
# .local/ (reused on the next run), migrates, creates the demo institution when missing,
# then runs onshid in the foreground and prints where to sign in. Ctrl-C stops both.
# Environment: PORT (default 8080), QUICKSTART_DIR (state directory, default ./.local).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash packaging/install-deps.sh run
# An existing build (for example the test command's) is reused as it is configured.
[ -f build/CMakeCache.txt ] ||
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONSHI_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target onshid onshictl webui >/dev/null

port=${PORT:-8080}
local_dir=${QUICKSTART_DIR:-$repo/.local}
mkdir -p "$local_dir"
local_dir=$(cd "$local_dir" && pwd)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# PostgreSQL refuses to run as root: then the cluster belongs to the postgres user.
as_pg=()
pg_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  pg_user=postgres
  if ! runuser -u postgres -- test -x "$local_dir"; then
    echo "quickstart: the postgres user cannot reach $local_dir; set QUICKSTART_DIR to a directory it can use" >&2
    exit 1
  fi
fi
pgdata=$local_dir/pgdata
sock=$local_dir/pgsock
if [ ! -s "$pgdata/PG_VERSION" ]; then
  mkdir -p "$pgdata" "$sock"
  [ ${#as_pg[@]} -eq 0 ] || chown postgres: "$pgdata" "$sock"
  "${as_pg[@]}" "$pgbin/initdb" -D "$pgdata" -A trust -U "$pg_user" -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-k $sock -c listen_addresses=''" start >/dev/null
fi
stop_pg() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true; }
trap stop_pg EXIT

export ONSHI_DATABASE_URL="host=$sock user=$pg_user dbname=onshi"
psql -X -q -d "host=$sock user=$pg_user dbname=postgres" -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'onshi'" | grep -q 1 ||
  psql -X -q -d "host=$sock user=$pg_user dbname=postgres" -c "CREATE DATABASE onshi"
./build/onshictl migrate

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
  ONSHI_PUBLIC_BASE_URL="http://localhost:$port" ./build/onshid &
onshid_pid=$!
trap 'kill -TERM $onshid_pid 2>/dev/null; wait $onshid_pid; stop_pg' INT TERM
wait $onshid_pid || true
