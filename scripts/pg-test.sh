#!/usr/bin/env bash
# A private PostgreSQL server for tests: initdb in a directory of its own,
# listening only on a Unix socket in that directory (no TCP port is opened,
# so servers of different test runs never collide), with a database "genu".
#
#   scripts/pg-test.sh start DIR   prints the URL, e.g.
#                                  postgresql://postgres@/genu?host=DIR&port=5432
#   scripts/pg-test.sh stop DIR    stops it (fast shutdown) and keeps DIR
#   scripts/pg-test.sh kill DIR    stops it as a crash would (immediate mode)
#   scripts/pg-test.sh restart DIR starts a stopped server again
#   scripts/pg-test.sh psql DIR ARGS...   psql on the genu database
#
# PostgreSQL refuses to run as root: under root the server runs as the
# `postgres` system user (Debian's package creates it; `genu-pg` is created
# when it is missing), which owns DIR. Local connections are trusted, except
# for the role genu_pw (password "right"), which must give its password, so
# tests can check authentication failures.
# env: PG_BIN (default: the newest /usr/lib/postgresql/*/bin), PG_PORT (5432).
set -eu
cmd=${1:?usage: pg-test.sh start|stop|kill|restart|psql DIR}
dir=${2:?usage: pg-test.sh start|stop|kill|restart|psql DIR}
port=${PG_PORT:-5432}
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "${PG_BIN:-}/initdb" ] || { echo "pg-test.sh: PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }

# as_pg CMD...: runs CMD as the server's user
if [ "$(id -u)" -eq 0 ]; then
  pguser=postgres
  if ! id "$pguser" >/dev/null 2>&1; then
    pguser=genu-pg
    id "$pguser" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$pguser"
  fi
  as_pg() { runuser -u "$pguser" -- "$@"; }
else
  pguser=$(id -un)
  as_pg() { "$@"; }
fi
data=$dir/data
log=$dir/server.log

start_server() {
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=on" start >/dev/null ||
    { echo "pg-test.sh: the server did not start:" >&2; tail -n 20 "$log" >&2; exit 1; }
}

case $cmd in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  data=$dir/data log=$dir/server.log
  [ "$(id -u)" -eq 0 ] && chown "$pguser" "$dir" && chmod 700 "$dir"
  as_pg "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { echo "pg-test.sh: initdb failed:" >&2; tail -n 20 "$dir/initdb.log" >&2; exit 1; }
  # the password-checked role comes first; everyone else is trusted
  hba=$data/pg_hba.conf
  as_pg sh -c "printf 'local all genu_pw scram-sha-256\nlocal all all trust\n' > '$hba'"
  start_server
  as_pg "$PG_BIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE genu" -c "CREATE ROLE genu_pw LOGIN PASSWORD 'right'" \
    -c "GRANT ALL ON DATABASE genu TO genu_pw" >/dev/null
  echo "postgresql://postgres@/genu?host=$dir&port=$port"
  ;;
stop) as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null ;;
kill) as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null ;;
restart) start_server ;;
psql)
  shift 2
  "$PG_BIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d genu -v ON_ERROR_STOP=1 "$@"
  ;;
*) echo "pg-test.sh: unknown command $cmd" >&2; exit 2 ;;
esac
