# Shared helpers for the end-to-end tests (sourced). $GENU is the binary,
# $GENU_SRC the source tree. Each test works in its own temporary directory.
#
# Backends: GENU_TEST_BACKEND=sqlite (the default) or postgresql. A script
# asks for each registry with `new_registry NAME`, which prints where a fresh
# one goes: $T/NAME.db on SQLite; on PostgreSQL the URL of a new, empty
# database NAME on a private server (scripts/pg-test.sh) that is started on
# first use, once per script, and stopped when the script exits. Either way
# `genu --db LOCATION init` (or import, demo) makes the registry there.
# `registry_sql LOCATION SQL` runs SQL on a registry of either backend (rows
# tab-separated, NULL as an empty field); `pg_crash_restart` crashes and
# restarts the PostgreSQL server. `sqlite_only check|expect_status
# NAME ...` runs a check that is about the SQLite file itself, and on
# PostgreSQL prints "skip NAME (sqlite only)" instead.
# Scripts add their own clean-up with `at_exit CMD`, never with a trap of
# their own (the one here stops the PostgreSQL server before removing $T).
set -u
: "${GENU:?set GENU to the genu binary}" "${GENU_SRC:?set GENU_SRC to the source tree}"
GENU_TEST_BACKEND=${GENU_TEST_BACKEND:-sqlite}
case $GENU_TEST_BACKEND in
sqlite | postgresql) ;;
*) echo "lib.sh: GENU_TEST_BACKEND must be sqlite or postgresql, not $GENU_TEST_BACKEND" >&2; exit 2 ;;
esac
T=$(mktemp -d)
_lib_pgt=$GENU_SRC/scripts/pg-test.sh
_lib_hooks=()
at_exit() { _lib_hooks+=("$1"); }
_lib_exit() {
  local h
  for h in ${_lib_hooks[@]+"${_lib_hooks[@]}"}; do eval "$h" || true; done
  if [ -e "$T/pg.url" ]; then
    "$_lib_pgt" stop "$T/pg" 2>/dev/null || "$_lib_pgt" kill "$T/pg" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap _lib_exit EXIT
cd "$T"
fails=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# expect_status WANT NAME CMD... : runs CMD, compares its exit status
expect_status() {
  local want=$1 name=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ]; then pass "$name"; else fail "$name (exit $got, wanted $want)"; sed 's/^/    /' "$T/err" | head -5; fi
}
# start_server DB [SERVE ARGS...]: `genu serve` on a free loopback port,
# waited for and stopped at exit; sets PORT, B (its base URL) and SPID, and
# writes serve.out and serve.err in $T. $GENU itself runs in the background,
# not a shell function: $! would be the function's subshell, and the kill at
# exit would leave the server running.
start_server() {
  local db=$1; shift
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  B=http://127.0.0.1:$PORT
  "$GENU" --db "$db" serve --listen "127.0.0.1:$PORT" "$@" >"$T/serve.out" 2>"$T/serve.err" &
  SPID=$!
  at_exit "kill $SPID 2>/dev/null"
  for _ in $(seq 50); do curl -s -o /dev/null "$B/" && break; sleep 0.1; done
}
# same_json A B: the two files hold equal JSON values
same_json() { python3 -c 'import json,sys;sys.exit(0 if json.load(open(sys.argv[1]))==json.load(open(sys.argv[2])) else 1)' "$1" "$2"; }
# demo_server PATIENTS: a demo registry of that many patients in a new
# registry $DB, with the users admin, clin (clinician of oak-park), other
# (clinician of a site with no patients) and res (researcher), served
# (start_server) with each signed in; get WHO PATH -> the status, the body
# in $T/body ("nobody" has no session).
demo_server() {
  DB=$(new_registry reg)
  "$GENU" --db "$DB" demo --patients "$1" >/dev/null 2>&1 || fail "demo registry"
  local u
  for u in "admin admin" "clin clinician --sites oak-park" "other clinician --sites nowhere" \
           "res researcher"; do
    set -- $u
    echo "$1-password" | "$GENU" --db "$DB" user add "$1" --role "${@:2}" >/dev/null
  done
  start_server "$DB" --threads 2
  for u in admin clin other res; do
    curl -s -o /dev/null -c "$T/$u.jar" -H 'Content-Type: application/json' \
      --data-binary "{\"name\":\"$u\",\"password\":\"$u-password\"}" "$B/api/v1/session"
  done
}
get() { curl -s -o "$T/body" -w '%{http_code}' -b "$T/$1.jar" "$B$2"; }
# A failure inside a command substitution (new_registry) cannot reach
# $fails: it leaves $T/lib.failed, which finish counts (and says on stderr).
_lib_broke() { echo "$1" >"$T/lib.failed"; echo "lib.sh: $1" >&2; }
finish() {
  if [ -e "$T/lib.failed" ]; then fail "$(cat "$T/lib.failed")"; fi
  [ "$fails" -eq 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
}

# _lib_pg_url: the private server's URL (database genu), starting it first
# if this script has not yet. State lives in files: new_registry runs in
# command substitutions, whose variables are lost.
_lib_pg_url() {
  if [ ! -s "$T/pg.url" ]; then
    chmod 711 "$T" # the server's user must reach its directory inside ours
    if ! "$_lib_pgt" start "$T/pg" >"$T/pg.url.new" 2>"$T/pg.err"; then
      _lib_broke "the private PostgreSQL server starts: $(tail -n 3 "$T/pg.err" | tr '\n' ' ')"
      : >"$T/pg.url" # so that the exit hook still stops what may have started
      return 1
    fi
    mv "$T/pg.url.new" "$T/pg.url"
  fi
  [ -s "$T/pg.url" ] && cat "$T/pg.url"
}

# new_registry NAME: where a fresh registry NAME goes (nothing there yet).
# NAME: lower-case letters, digits and _ (it is a database name too).
new_registry() {
  local name=$1 url
  case $name in *[!a-z0-9_]* | "" | [0-9]*)
    _lib_broke "new_registry: bad name \"$name\""; return 1 ;;
  esac
  if [ "$GENU_TEST_BACKEND" = sqlite ]; then
    rm -f "$T/$name.db" "$T/$name.db-wal" "$T/$name.db-shm"
    echo "$T/$name.db"
    return 0
  fi
  url=$(_lib_pg_url) || return 1
  if ! "$_lib_pgt" psql "$T/pg" -d postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
      -c "CREATE DATABASE $name" >/dev/null 2>"$T/pg.err"; then
    _lib_broke "new_registry $name: $(head -n 1 "$T/pg.err")"
    return 1
  fi
  echo "${url%%/genu\?*}/$name?${url#*\?}"
}

# registry_sql LOCATION SQL: runs SQL on the registry at LOCATION (a SQLite
# file or a postgresql:// URL) and prints the rows, fields tab-separated,
# NULL as an empty field. Exported, so that Python checks can call it too:
#   subprocess.check_output(["bash", "-c", 'registry_sql "$@"', "-", db, sql])
registry_sql() {
  local loc=$1 sql=$2 db host
  case $loc in
  postgresql://* | postgres://*)
    db=${loc%%\?*}; db=${db##*/}
    host=${loc#*[?&]host=}; host=${host%%&*}
    "$GENU_SRC/scripts/pg-test.sh" psql "$host" -d "$db" -At -F "$(printf '\t')" -c "$sql"
    ;;
  *)
    python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for row in c.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
c.commit()' "$loc" "$sql"
    ;;
  esac
}
export -f registry_sql

# pg_crash_restart: stops this script's PostgreSQL server as a crash would
# (immediate mode: no checkpoint; the restart recovers from the WAL) and
# starts it again. Fails when no server was started.
pg_crash_restart() {
  [ -s "$T/pg.url" ] && "$_lib_pgt" kill "$T/pg" && "$_lib_pgt" restart "$T/pg"
}

# sqlite_only check|expect_status ... : a check about the SQLite file itself
# (its permissions, its WAL, that it was not created). Keep these few.
sqlite_only() {
  if [ "$GENU_TEST_BACKEND" = sqlite ]; then "$@"; return; fi
  local name=$2
  [ "$1" = expect_status ] && name=$3
  printf 'skip %s (sqlite only)\n' "$name"
}
