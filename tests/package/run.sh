#!/usr/bin/env bash
# The Debian package end to end, on this machine: build it (packaging/build-deb.sh, lintian
# must pass), install it with apt-get, check what it installed and made, start the installed
# onshid the way onshid.service does (its ExecStart, as the user onshi, with a NOTIFY_SOCKET)
# against a private PostgreSQL, then remove and purge it and check that nothing is left but
# the database.
# Needs root (it installs and purges the package onshi): exits 77 (skip) otherwise.
# Usage: tests/package/run.sh
set -eEuo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/package: SKIP: needs root (it installs, starts and purges the Debian package onshi)" >&2
  exit 77
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
for tool in dpkg-buildpackage dh lintian systemd-analyze apt-get psql python3 runuser; do
  command -v "$tool" >/dev/null ||
    { echo "tests/package: $tool is missing (bash packaging/install-deps.sh test)" >&2; exit 1; }
done
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "tests/package: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }

# The test purges the package and the user at the end: never on a machine that has them already.
if dpkg-query -W -f='${Status}' onshi 2>/dev/null | grep -qv 'not-installed'; then
  echo "tests/package: the package onshi is already on this machine (dpkg -l onshi); the test would purge it" >&2
  exit 1
fi
if getent passwd onshi >/dev/null || getent group onshi >/dev/null; then
  echo "tests/package: a user or group onshi exists already; the test would delete it" >&2
  exit 1
fi

work=$(mktemp -d /tmp/onshi-package.XXXXXX)
# onshi (the notify socket) and _apt (the .deb) need to reach into it.
chmod 0755 "$work"
failures=0
passes=0
onshid_pid=
runuser_pid=
pg_started=

cleanup() {
  set +e
  [ -n "$onshid_pid" ] && kill -KILL "$onshid_pid" 2>/dev/null
  [ -n "$runuser_pid" ] && pkill -KILL -P "$runuser_pid" 2>/dev/null && sleep 0.5
  [ -n "${notify_pid:-}" ] && kill "$notify_pid" 2>/dev/null
  if dpkg-query -W -f='${Status}' onshi 2>/dev/null | grep -qv 'not-installed'; then
    echo "tests/package: purging the package left installed" >&2
    DEBIAN_FRONTEND=noninteractive dpkg --purge onshi >/dev/null
  fi
  [ -n "$pg_started" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# A step that fails outside check() ends the run: say which.
trap 'echo "tests/package: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

ok() { passes=$((passes + 1)); echo "ok - $1"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $1" >&2; }
# check DESCRIPTION COMMAND...: one assertion; the run goes on after a failure.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# Steps the rest depends on.
die() { echo "not ok - $1" >&2; echo "tests/package: FAILED ($((failures + 1)) failures)" >&2; exit 1; }
# mode_owner PATH MODE USER GROUP
mode_owner() { [ "$(stat -c '%a %U %G' "$1" 2>/dev/null)" = "$2 $3 $4" ]; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# eventually COMMAND...: polls COMMAND for up to 30 s (onshid's log, the notify log).
eventually() {
  for _ in $(seq 300); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
# wait_for FILE REGEX: a line of FILE matches, within 30 s.
wait_for() { eventually grep -qsE "$2" "$1"; }

# --- 1. build -------------------------------------------------------------------------------
echo "# building the package"
bash "$repo/packaging/build-deb.sh" "$work/deb" >"$work/build-deb.out" 2>"$work/build-deb.err" ||
  { cat "$work/build-deb.err" >&2; die "packaging/build-deb.sh builds the package and lintian passes"; }
deb=$(tail -n 1 "$work/build-deb.out")
ok "packaging/build-deb.sh builds $(basename "$deb") and lintian passes"
lintian_tags=$(grep -E '^[EWIPXO]: onshi' "$work/build-deb.err" || true)
if [ -n "$lintian_tags" ]; then
  echo "$lintian_tags" | sed 's/^/# lintian: /'
  lintian_result="passed, $(echo "$lintian_tags" | wc -l) tag(s) below warning"
else
  lintian_result="clean (no tags)"
fi
check "lintian reports no error or warning" bash -c "! grep -qE '^[EW]: ' '$work/build-deb.err'"

# --- 2. install -----------------------------------------------------------------------------
echo "# installing it"
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" >"$work/apt-install.log" 2>&1 ||
  { cat "$work/apt-install.log" >&2; die "apt-get install $(basename "$deb")"; }
ok "apt-get install $(basename "$deb")"
check "dpkg says onshi is installed" bash -c "dpkg-query -W -f='\${Status}' onshi | grep -qx 'install ok installed'"

# --- 3. files, modes, owners, the unit ------------------------------------------------------
check "/usr/sbin/onshid is root's, 0755" mode_owner /usr/sbin/onshid 755 root root
check "/usr/bin/onshictl is root's, 0755" mode_owner /usr/bin/onshictl 755 root root
check "the console is in /usr/share/onshi/webui (static_dir's default)" \
  test -f /usr/share/onshi/webui/index.html -a -f /usr/share/onshi/webui/js/errors.js
check "docs, copyright and manual pages" test -f /usr/share/doc/onshi/copyright -a \
  -f /usr/share/doc/onshi/README.Debian -a -f /usr/share/doc/onshi/onshid.conf.example.gz -a \
  -f /usr/share/doc/onshi/operations.md.gz -a \
  -f /usr/share/man/man8/onshid.8.gz -a -f /usr/share/man/man1/onshictl.1.gz
check "a system user onshi, home /var/lib/onshi, no login shell" bash -c \
  'IFS=: read -r _ _ uid gid _ home shell < <(getent passwd onshi) &&
   [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/onshi ] && [ "$shell" = /usr/sbin/nologin ] &&
   [ "$(getent group onshi | cut -d: -f3)" = "$gid" ]'
check "/var/lib/onshi is onshi's, 0750" mode_owner /var/lib/onshi 750 onshi onshi
check "/etc/onshi/onshid.conf is root:onshi, 0640" mode_owner /etc/onshi/onshid.conf 640 root onshi
check "/etc/onshi/onshid.conf is a conffile" bash -c \
  "dpkg-query -W -f='\${Conffiles}\n' onshi | grep -qE '^ /etc/onshi/onshid.conf [0-9a-f]{32}\$'"
check "the conffile sets listen_address and result_key_file, and leaves every other key commented" \
  bash -c "[ \"\$(grep -E '^[a-z_]+ *=' /etc/onshi/onshid.conf)\" = \"\$(printf 'listen_address = 127.0.0.1\nresult_key_file = /etc/onshi/result.key')\" ]"
check "/etc/onshi/result.key is onshi's, 0600" mode_owner /etc/onshi/result.key 600 onshi onshi
check "the result key is 64 hex digits and a newline" bash -c \
  '[ "$(stat -c %s /etc/onshi/result.key)" = 65 ] && grep -qxE "[0-9a-f]{64}" /etc/onshi/result.key'
check "the onshi user reads the configuration (onshid --check-config)" bash -c \
  'cd / && runuser -u onshi -- /usr/sbin/onshid --config /etc/onshi/onshid.conf --check-config | grep -qx "configuration ok"'
unit=/lib/systemd/system/onshid.service
check "the unit is installed as $unit" test -f "$unit"
check "the unit is Type=notify, as onshid.service with sd_notify(3)" grep -qx 'Type=notify' "$unit"
check "onshid.service is not enabled by the installation" bash -c \
  '[ "$(systemctl is-enabled onshid.service 2>/dev/null)" = disabled ]'
if systemd-analyze verify "$unit" >"$work/verify.log" 2>&1; then
  ok "systemd-analyze verify $unit"
else
  sed 's/^/# /' "$work/verify.log" >&2
  not_ok "systemd-analyze verify $unit"
fi
systemd-analyze security --offline=true "$unit" >"$work/security.log" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for onshid.service: \([0-9.]*\).*/\1/p' "$work/security.log")
echo "# systemd-analyze security: exposure ${exposure:-unknown}"
check "the unit's exposure is below 2.0 (systemd-analyze security)" \
  python3 -c "import sys; sys.exit(0 if '$exposure' and float('$exposure') < 2.0 else 1)"

# --- 4. the installed onshid, started as the unit starts it ---------------------------------
echo "# starting a private PostgreSQL"
pg_port=$(free_port)
mkdir "$work/pg"
chown postgres: "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 \
  --locale=C.UTF-8 --no-sync >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; die "initdb"; }
# TCP on 127.0.0.1: the onshi user reaches it like a site's onshid reaches its database.
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -t 60 \
  -o "-k $work/pg -c listen_addresses=127.0.0.1 -p $pg_port -c fsync=off" start >/dev/null ||
  { cat "$work/pg/log" >&2; die "pg_ctl start"; }
pg_started=1
psql_pg() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
psql_pg -d postgres -c 'CREATE ROLE onshi LOGIN' -c 'CREATE DATABASE onshi_pkg OWNER onshi' \
  -c 'CREATE DATABASE onshi_pkg_old OWNER onshi'
db_url="host=127.0.0.1 port=$pg_port user=onshi dbname=onshi_pkg"
old_url="host=127.0.0.1 port=$pg_port user=onshi dbname=onshi_pkg_old"
as_onshi() { (cd / && runuser -u onshi -- env HOME=/var/lib/onshi "$@"); }

as_onshi ONSHI_DATABASE_URL="$db_url" /usr/bin/onshictl --config /etc/onshi/onshid.conf migrate \
  >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "onshictl migrate (installed, as onshi)"; }
ok "the installed onshictl migrates the database (as onshi, with the conffile)"
as_onshi ONSHI_DATABASE_URL="$db_url" /usr/bin/onshictl --config /etc/onshi/onshid.conf --json \
  institution create --code 1311234567 --name 試験医院 --kind medical --start-date 2020-04-01 \
  >"$work/institution.json" 2>"$work/institution.err" ||
  { cat "$work/institution.err" >&2; die "onshictl institution create"; }
ok "onshictl institution create"
master_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["master"]["user_id"])' "$work/institution.json")
master_pw=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["master"]["initial_password"])' "$work/institution.json")

# What systemd would run: the unit's own command line.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a onshid_cmd <<<"$exec_start"
check "ExecStart is the installed onshid with the conffile" \
  test "$exec_start" = "/usr/sbin/onshid --config /etc/onshi/onshid.conf"

# systemd's side of sd_notify(3): a datagram socket; each message is logged with its sender's
# pid (SCM_CREDENTIALS), as systemd checks it against the main pid (NotifyAccess=main).
sock="$work/notify.sock"
python3 -u - "$sock" >"$work/notify.log" 2>&1 <<'EOF' &
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)  # onshid runs as onshi
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("listening", flush=True)
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = next((struct.unpack("3i", d[:12])[0] for lvl, typ, d in anc
                if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS), -1)
    print(pid, data.decode().replace("\n", "|"), flush=True)
EOF
notify_pid=$!
wait_for "$work/notify.log" '^listening$' || die "the notify socket listens"

port=$(free_port)
echo "# starting $exec_start as onshi on port $port"
(cd / && exec runuser -u onshi -- env HOME=/var/lib/onshi ONSHI_DATABASE_URL="$db_url" \
  ONSHI_PORT="$port" NOTIFY_SOCKET="$sock" "${onshid_cmd[@]}") >"$work/onshid.log" 2>&1 &
runuser_pid=$!
# runuser stays as onshid's parent: the signals go to onshid itself, as systemd's to MAINPID.
for _ in $(seq 100); do
  onshid_pid=$(ps -o pid= --ppid "$runuser_pid" | tr -d ' ' | head -n 1) || true
  [ -n "$onshid_pid" ] && break
  sleep 0.1
done
[ -n "$onshid_pid" ] || die "onshid runs under runuser"
check "onshid runs as onshi" test "$(ps -o user= -p "$onshid_pid" | tr -d ' ')" = onshi
if wait_for "$work/notify.log" "^$onshid_pid .*READY=1"; then
  ok "onshid's main process sends READY=1 to NOTIFY_SOCKET"
else
  not_ok "onshid's main process sends READY=1 to NOTIFY_SOCKET (got: $(tr '\n' ' ' <"$work/notify.log"))"
fi
wait_for "$work/onshid.log" '"msg":"listening"' || { cat "$work/onshid.log" >&2; die "onshid listens"; }
check "onshid listens on 127.0.0.1 (the conffile's listen_address)" \
  grep -q "\"msg\":\"listening\",\"address\":\"127.0.0.1\",\"port\":$port" "$work/onshid.log"
check "the password-hashing helper (/proc/self/exe re-executed) runs as onshi" bash -c \
  "ps -o user=,comm= --ppid $onshid_pid | grep -qE '^onshi +onshid-hash\$'"

# Over HTTP: readiness, the console, a sign-in (hashed in the helper), a bulk job (sealed with
# the key the package made).
python3 - "http://127.0.0.1:$port" 1311234567 "$master_id" "$master_pw" <<'EOF' >"$work/http.log" 2>&1 && http_ok=1 || http_ok=
import json, sys, urllib.request, urllib.error
base, code, user, password = sys.argv[1:]
failed = 0
def call(method, path, body=None, headers={}, ctype="application/json"):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={**headers, **({"Content-Type": ctype} if data else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
def check(what, cond, detail=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else f" ({detail})"))
    failed += not cond
status, _, body = call("GET", "/readyz")
check("GET /readyz answers 200 ready", status == 200 and json.loads(body).get("status") == "ready", body)
status, headers, body = call("GET", "/")
check("GET / serves the console (text/html)", status == 200 and headers.get("Content-Type", "").startswith("text/html")
      and b"<html" in body.lower(), f"{status} {headers.get('Content-Type')}")
status, headers, body = call("POST", "/api/v1/session", {"institution_code": code, "user_id": user, "password": password})
check("the master account signs in", status == 200 and "onshi_session=" in (headers.get("Set-Cookie") or ""), body)
if status == 200:
    cookie = headers["Set-Cookie"].split(";")[0]
    csrf = json.loads(body)["csrf_token"]
    status, headers, body = call("PUT", "/api/v1/session/password", {"current_password": password, "new_password": "Sakura2026!"},
                                 {"Cookie": cookie, "X-CSRF-Token": csrf})
    check("the master account sets its password", status == 200, body)
    if status == 200:
        cookie = headers["Set-Cookie"].split(";")[0]
        csrf = json.loads(body)["csrf_token"]
        status, _, body = call("POST", "/api/v1/bulk-jobs", "a,b\n1,2\n".encode(), {"Cookie": cookie, "X-CSRF-Token": csrf}, "text/csv")
        check("a bulk job is accepted (result_key_file, the package's key, loaded)", status == 202, body)
sys.exit(1 if failed else 0)
EOF
cat "$work/http.log"
passes=$((passes + $(grep -c '^ok - ' "$work/http.log" || true)))
failures=$((failures + $(grep -c '^not ok - ' "$work/http.log" || true)))
[ -n "$http_ok" ] || [ "$(grep -c '^not ok - ' "$work/http.log" || true)" -gt 0 ] ||
  not_ok "the HTTP checks ran (python3 failed: see above)"

kill -HUP "$onshid_pid"
check "SIGHUP (ExecReload) reloads the configuration" wait_for "$work/onshid.log" '"msg":"configuration reloaded"'
# systemd (Type=notify) counts a reload as done at the READY=1 that follows RELOADING=1.
reloaded() {
  awk -v pid="$onshid_pid" '$1 == pid && /RELOADING=1/ { r = 1 } $1 == pid && r && /READY=1/ { ok = 1 }
    END { exit !ok }' "$work/notify.log"
}
check "onshid tells systemd it reloads (RELOADING=1, then READY=1)" eventually reloaded
kill -TERM "$onshid_pid"
rc=0
wait "$runuser_pid" || rc=$?
onshid_pid=
runuser_pid=
check "SIGTERM: onshid exits 0" test "$rc" = 0
check "SIGTERM: onshid says STOPPING=1 and logs stopped" bash -c \
  "grep -q 'STOPPING=1' '$work/notify.log' && grep -q '\"msg\":\"stopped\"' '$work/onshid.log'"
check "onshid logged no error" bash -c "! grep -q '\"level\":\"error\"' '$work/onshid.log'"

# --- 5. an older schema: onshid refuses it and says what to do ------------------------------
as_onshi ONSHI_DATABASE_URL="$old_url" /usr/bin/onshictl migrate >/dev/null 2>&1 || die "migrate the second database"
psql_pg -d onshi_pkg_old -c 'DELETE FROM schema_version WHERE version = (SELECT max(version) FROM schema_version)'
rc=0
(cd / && runuser -u onshi -- env HOME=/var/lib/onshi ONSHI_DATABASE_URL="$old_url" ONSHI_PORT="$port" \
  timeout 60 "${onshid_cmd[@]}") >"$work/onshid-old.log" 2>&1 || rc=$?
check "onshid refuses a database at an older schema (exit 5, schema version mismatch; got $rc)" test "$rc" = 5
check "its log says to run onshictl migrate" grep -q "run 'onshictl migrate'" "$work/onshid-old.log"

# --- 6. remove, then purge ------------------------------------------------------------------
echo "# removing the package"
DEBIAN_FRONTEND=noninteractive apt-get remove -y onshi >"$work/apt-remove.log" 2>&1 ||
  { cat "$work/apt-remove.log" >&2; not_ok "apt-get remove onshi"; }
check "remove: the programs, the console and the unit are gone" bash -c \
  "[ ! -e /usr/sbin/onshid ] && [ ! -e /usr/bin/onshictl ] && [ ! -e /usr/share/onshi ] && [ ! -e $unit ]"
check "remove: the conffile and the key stay" test -f /etc/onshi/onshid.conf -a -f /etc/onshi/result.key
check "remove: dpkg keeps the configuration (config-files)" bash -c \
  "dpkg-query -W -f='\${Status}' onshi | grep -qx 'deinstall ok config-files'"
echo "# purging it"
DEBIAN_FRONTEND=noninteractive apt-get purge -y onshi >"$work/apt-purge.log" 2>&1 ||
  { cat "$work/apt-purge.log" >&2; not_ok "apt-get purge onshi"; }
left=()
for p in /etc/onshi /usr/share/onshi /usr/share/doc/onshi /var/lib/onshi "$unit" \
  /etc/systemd/system/onshid.service /etc/systemd/system/multi-user.target.wants/onshid.service \
  /var/lib/systemd/deb-systemd-helper-enabled/onshid.service.dsh-also; do
  [ -e "$p" ] || [ -L "$p" ] && left+=("$p")
done
check "purge: nothing the package installed or made is left${left:+ (left: ${left[*]})}" test "${#left[@]}" = 0
check "purge: the user and group onshi are gone" bash -c '! getent passwd onshi && ! getent group onshi'
check "purge: dpkg knows no onshi" bash -c "! dpkg-query -W -f='\${Status}' onshi 2>/dev/null | grep -qv not-installed"
check "purge: the database is untouched (schema, the institution)" bash -c \
  "[ \"\$(psql -X -At -h 127.0.0.1 -p $pg_port -U postgres -d onshi_pkg -c 'SELECT (SELECT max(version) FROM schema_version), (SELECT count(*) FROM institutions)')\" = \"\$(sed -n 's/^schema is at version \([0-9]*\).*/\1/p' '$work/migrate.log')|1\" ]"

# --- summary --------------------------------------------------------------------------------
size=$(stat -c %s "$deb")
echo "# package: $(basename "$deb"), $((size / 1024)) KiB ($(dpkg-deb -f "$deb" Installed-Size) KiB installed)"
echo "# lintian: $lintian_result"
echo "# systemd-analyze security exposure: ${exposure:-unknown} (below 2.0 required)"
if [ "$failures" -gt 0 ]; then
  echo "tests/package: FAILED: $failures of $((passes + failures)) checks failed" >&2
  exit 1
fi
echo "tests/package: PASSED: $passes checks"
