#!/usr/bin/env bash
# A PostgreSQL read replica for `genu serve --read-db` (docs/scaling.md,
# Read replica), on two private servers of this script's own: a primary
# (scripts/pg-test.sh, a Unix socket only, with a replication line in its
# pg_hba.conf) and a hot standby made from it by `pg_basebackup -R`,
# streaming from it. Never skipped: without PostgreSQL installed this fails.
#  - --read-db, GENU_READ_DB and the configuration's read_db refuse what is
#    not a postgresql:// URL, naming the flag or FILE:LINE; a standby
#    database without a registry is refused at start;
#  - records written through the API go to the primary; once the standby
#    has replayed them (its replay position reaches the primary's WAL
#    position), the API's claim and survival answers equal the command
#    line's on the primary;
#  - reads really come from the standby: with replay paused, a patient
#    imported on the primary by the command line is not in the API's
#    reads, analyses or export (servers started with --read-db, with
#    GENU_READ_DB and with read_db alike), while writes through the API
#    still succeed; after replay resumes, it is;
#  - the standby stopped: analyses and reads answer 503 with a JSON error,
#    writes, sessions and /healthz keep working, and a server started
#    meanwhile starts; once the standby is back, reads come back in both
#    without restarting genu.
. "$(dirname "$0")/lib.sh"
PGT="$GENU_SRC/scripts/pg-test.sh"
P="$T/primary" S="$T/standby"
chmod 711 "$T" # the servers' user must reach their directories inside ours
stop_pgs() {
  for d in "$S" "$P"; do
    [ -e "$d/data/PG_VERSION" ] && { "$PGT" stop "$d" 2>/dev/null || "$PGT" kill "$d" 2>/dev/null; }
  done
  return 0
}
at_exit stop_pgs

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "$(id -u)" -eq 0 ]; then
  pguser=postgres
  id "$pguser" >/dev/null 2>&1 || pguser=genu-pg # the user pg-test.sh runs the server as
  as_pg() { runuser -u "$pguser" -- "$@"; }
else
  as_pg() { "$@"; }
fi

PRIMARY=$("$PGT" start "$P") || { fail "the primary starts"; finish; }
pass "the primary starts"
STANDBY="postgresql://postgres@/genu?host=$S&port=5432"
onp() { "$PGT" psql "$P" -At "$@"; }
ons() { "$PGT" psql "$S" -At "$@"; }
G() { "$GENU" --db "$PRIMARY" "$@"; }

# ---- the standby: a base backup of the primary, streaming from it ----
as_pg sh -c "printf 'local replication all trust\n' >> '$P/data/pg_hba.conf'"
check "the primary runs with wal_level=replica and WAL senders" \
  test "$(onp -c "SELECT current_setting('wal_level') || ' ' || (current_setting('max_wal_senders')::int > 0)")" = "replica true"
onp -c "SELECT pg_reload_conf()" >/dev/null
mkdir -p "$S" && [ "$(id -u)" -eq 0 ] && chown "$pguser" "$S"
chmod 700 "$S"
if as_pg "$PG_BIN/pg_basebackup" -D "$S/data" -R -X stream -c fast -h "$P" -p 5432 -U postgres \
    >"$T/basebackup.log" 2>&1; then
  pass "pg_basebackup -R copies the primary"
else
  fail "pg_basebackup -R copies the primary"; sed 's/^/    /' "$T/basebackup.log" | tail -5; finish
fi
"$PGT" restart "$S" || { fail "the standby starts"; finish; }
check "the standby is in recovery (a hot standby)" test "$(ons -c 'SELECT pg_is_in_recovery()')" = t
check "the primary streams to it" test "$(onp -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1

# wait_replay: until the standby has replayed everything the primary has
# written so far (at most 60 s); prints how long it waited
wait_replay() {
  local lsn start=$(date +%s%N) i
  lsn=$(onp -c 'SELECT pg_current_wal_lsn()')
  for i in $(seq 600); do
    [ "$(ons -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ] && {
      echo "replayed $lsn in $(( ($(date +%s%N) - start) / 1000000 )) ms" >>"$T/lag.log"
      return 0
    }
    sleep 0.1
  done
  return 1
}

# ---- a registry on the primary ----
expect_status 0 "genu init on the primary" G init
echo 'admin-password' | G user add admin --role admin >/dev/null
check "the standby replays the new registry" wait_replay
echo '{"type":"patient","id":"NOPE","site":"oak-park","sex":"male","birth_year":1950}' >nope.jsonl
expect_status 3 "genu import on the standby fails (a standby is read-only)" \
  "$GENU" --db "$STANDBY" import nope.jsonl
check "  with PostgreSQL's reason" grep -Eq 'read-only transaction|during recovery' "$T/err"

# ---- bad replica locations name where they came from ----
expect_status 2 "--read-db with a SQLite path is refused" G serve --read-db "$T/x.db" --listen 127.0.0.1:1
check "  naming --read-db" grep -q -- '--read-db: expected the postgresql:// URL' "$T/err"
GENU_READ_DB="$T/x.db" expect_status 2 "GENU_READ_DB with a SQLite path is refused" \
  G serve --listen 127.0.0.1:1
check "  naming --read-db" grep -q -- '--read-db: expected the postgresql:// URL' "$T/err"
printf '# test\nread_db = %s\n' "$T/x.db" >bad.conf
expect_status 1 "read_db in the configuration with a SQLite path is refused" \
  "$GENU" --config bad.conf --db "$PRIMARY" serve --listen 127.0.0.1:1
check "  naming FILE:LINE" grep -q 'bad.conf:2: read_db: expected a postgresql:// URL' "$T/err"
expect_status 1 "a standby database that holds no registry is refused" \
  G serve --read-db "postgresql://postgres@/postgres?host=$S&port=5432" --listen 127.0.0.1:1
check "  naming --read-db" grep -q -- '--read-db: not a genu registry' "$T/err"

# ---- genu serve on the primary, reading from the standby ----
start_server "$PRIMARY" --threads 2 --read-db "$STANDBY"
B1=$B SPID1=$SPID
mv "$T/serve.out" serve1.out; mv "$T/serve.err" serve1.err # it goes on writing there
check "the server says its reads come from the replica" grep -q 'read replica' serve1.out
signin() { # signin BASE JAR -> the CSRF token
  curl -s -o "$T/signin" -c "$2" -H 'Content-Type: application/json' \
    --data-binary '{"name":"admin","password":"admin-password"}' "$1/api/v1/session"
  python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["csrf"])' "$T/signin"
}
CSRF=$(signin "$B1" "$T/jar")
get() { curl -s -o "$T/body" -w '%{http_code}' -b "${3:-$T/jar}" "${2:-$B1}$1"; }
post() { # post BODY -> status
  curl -s -o "$T/body" -w '%{http_code}' -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' --data-binary "$1" "$B1/api/v1/records"
}

# every record of a generated registry written through the API, one POST each
python3 "$GENU_SRC/tools/gen_registry.py" 40 5 --koos >reg.jsonl
python3 - "$B1" "$CSRF" "$T/jar" reg.jsonl >post.out <<'PY'
import http.client, http.cookiejar, sys, urllib.parse
base, csrf, jar, path = sys.argv[1:5]
cj = http.cookiejar.MozillaCookieJar(jar); cj.load(ignore_discard=True, ignore_expires=True)
cookie = "; ".join(f"{c.name}={c.value}" for c in cj)
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port)
counts = {}
for line in open(path):
    conn.request("POST", "/api/v1/records", line.encode(),
                 {"Content-Type": "application/json", "X-CSRF-Token": csrf, "Cookie": cookie})
    r = conn.getresponse(); r.read()
    counts[r.status] = counts.get(r.status, 0) + 1
print(" ".join(f"{k}:{v}" for k, v in sorted(counts.items())))
PY
nrec=$(grep -c . reg.jsonl)
check "$nrec records written through the API (all 201)" test "$(cat post.out)" = "201:$nrec"
check "the standby replays them" wait_replay

AS_OF=2026-01-01
CLAIM='responder=improvement_pct:nprs.intensity>=50&at=6m&expect=0.5'
G claim --responder 'improvement_pct:nprs.intensity>=50' --at 6m --expect 0.5 --as-of $AS_OF \
  --format json >cli-claim.json
G survival --event replacement --by kl --as-of $AS_OF --format json >cli-survival.json
check "claim over HTTP (from the standby) is 200" test "$(get "/api/v1/claim?$CLAIM&as_of=$AS_OF")" = 200
check "  the same as genu claim on the primary" same_json "$T/body" cli-claim.json
check "  and counts knees (not an empty registry)" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["counts"]["entered"] > 0, d' "$T/body"
check "survival over HTTP (from the standby) is 200" \
  test "$(get "/api/v1/survival?event=replacement&by=kl&as_of=$AS_OF")" = 200
check "  the same as genu survival on the primary" same_json "$T/body" cli-survival.json
check "the export over HTTP equals genu export on the primary" \
  sh -c "test \"\$(curl -s -b '$T/jar' '$B1/api/v1/export')\" = \"\$('$GENU' --db '$PRIMARY' export)\""

# ---- the reads really come from the standby ----
onp -c "SELECT 1" >/dev/null
ons -c "SELECT pg_wal_replay_pause()" >/dev/null
for _ in $(seq 50); do [ "$(ons -c 'SELECT pg_get_wal_replay_pause_state()')" = paused ] && break; sleep 0.1; done
check "replay on the standby is paused" test "$(ons -c 'SELECT pg_get_wal_replay_pause_state()')" = paused
cat >late.jsonl <<'JSON'
{"type":"patient","id":"LATE1","site":"oak-park","sex":"female","birth_year":1961}
{"type":"treatment","id":"LATE1-T","patient":"LATE1","knee":"left","date":"2025-03-01","kind":"prp","sites":["intra_articular"]}
JSON
expect_status 0 "genu import on the primary while replay is paused" G import late.jsonl
check "  the command line on the primary sees the patient" \
  sh -c "'$GENU' --db '$PRIMARY' export | grep -q LATE1"
check "the API's read of the patient is 404 (the standby has not replayed it)" \
  test "$(get /api/v1/records/patient/LATE1)" = 404
check "the API's patient list is 200" test "$(get '/api/v1/patients?search=LATE')" = 200
check "  without it" sh -c "! grep -q LATE1 '$T/body'"
check "the API's export does not have it" sh -c "! curl -s -b '$T/jar' '$B1/api/v1/export' | grep -q LATE1"
check "the API's claim is the one from before the import" \
  sh -c "curl -s -b '$T/jar' '$B1/api/v1/claim?$CLAIM&as_of=$AS_OF' >claim-paused.json && python3 -c '
import json,sys
a,b=(json.load(open(p)) for p in sys.argv[1:3]); sys.exit(0 if a==b else 1)' claim-paused.json cli-claim.json"
check "a write through the API still succeeds (201, on the primary)" \
  test "$(post '{"type":"patient","id":"LATE2","site":"oak-park","sex":"male","birth_year":1962}')" = 201
check "  and is on the primary" sh -c "'$GENU' --db '$PRIMARY' export | grep -q LATE2"
check "  but not yet in the API's reads" test "$(get /api/v1/records/patient/LATE2)" = 404
check "the session still works (/me, from the primary)" test "$(get /api/v1/me)" = 200

# the same with the replica given by GENU_READ_DB and by read_db in the
# configuration file (start_server sets B and SPID anew)
GENU_READ_DB="$STANDBY" start_server "$PRIMARY" --threads 1
signin "$B" "$T/jar.env" >/dev/null
check "a server with GENU_READ_DB: the patient is not in its reads" \
  test "$(get /api/v1/records/patient/LATE1 "$B" "$T/jar.env")" = 404
kill "$SPID"
printf 'read_db = %s\n' "$STANDBY" >replica.conf
GENU_CONFIG=$T/replica.conf start_server "$PRIMARY" --threads 1
signin "$B" "$T/jar.conf" >/dev/null
check "a server with read_db in its configuration: the patient is not in its reads" \
  test "$(get /api/v1/records/patient/LATE1 "$B" "$T/jar.conf")" = 404
kill "$SPID"

ons -c "SELECT pg_wal_replay_resume()" >/dev/null
check "after replay resumes the standby catches up" wait_replay
check "the API's read of the patient is 200" test "$(get /api/v1/records/patient/LATE1)" = 200
check "the API's read of the patient written through it is 200" test "$(get /api/v1/records/patient/LATE2)" = 200
check "the API's export has it" sh -c "curl -s -b '$T/jar' '$B1/api/v1/export' | grep -q LATE1"
G claim --responder 'improvement_pct:nprs.intensity>=50' --at 6m --expect 0.5 --as-of $AS_OF \
  --format json >cli-claim2.json
check "claim over HTTP equals genu claim on the primary again" \
  sh -c "curl -s -b '$T/jar' '$B1/api/v1/claim?$CLAIM&as_of=$AS_OF' >claim-after.json && python3 -c '
import json,sys
a,b=(json.load(open(p)) for p in sys.argv[1:3]); sys.exit(0 if a==b else 1)' claim-after.json cli-claim2.json"
check "  which counts one knee more than before" python3 -c '
import json,sys
a,b=(json.load(open(p)) for p in sys.argv[1:3]); sys.exit(0 if a["counts"]["entered"]==b["counts"]["entered"]+1 else 1)' \
  claim-after.json cli-claim.json

# ---- the standby down: reads 503, writes go on ----
"$PGT" stop "$S"
for path in "/api/v1/claim?$CLAIM&as_of=$AS_OF" /api/v1/records/patient/LATE1 /api/v1/export \
    "/api/v1/patients?search=LATE"; do
  st=$(get "$path")
  check "standby down: GET ${path%%\?*} is 503" test "$st" = 503
  check "  with a JSON error" python3 -c '
import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["code"]=="unavailable" and "replica" in e["message"], e' "$T/body"
done
check "standby down: a write through the API is 201" \
  test "$(post '{"type":"patient","id":"LATE3","site":"oak-park","sex":"male","birth_year":1963}')" = 201
check "standby down: /api/v1/me is 200" test "$(get /api/v1/me)" = 200
check "standby down: /healthz is 200 (the primary answers)" test "$(get /healthz)" = 200
check "standby down: the server is still running" kill -0 "$SPID1"
# a server started while the standby is down starts (writes need only the
# primary), says so, and reads from the standby once it is back
start_server "$PRIMARY" --threads 1 --read-db "$STANDBY"
B2=$B SPID2=$SPID
CSRF2=$(signin "$B2" "$T/jar2")
check "a server started while the standby is down runs" kill -0 "$SPID2"
check "  and says its reads answer 503 meanwhile" grep -q -- '--read-db: cannot connect to PostgreSQL.*503' "$T/serve.err"
check "  its reads are 503" test "$(get /api/v1/records/patient/LATE1 "$B2" "$T/jar2")" = 503
check "  its writes are 201" test "$(curl -s -o "$T/body" -w '%{http_code}' -b "$T/jar2" \
  -H "X-CSRF-Token: $CSRF2" -H 'Content-Type: application/json' \
  --data-binary '{"type":"patient","id":"LATE4","site":"oak-park","sex":"male","birth_year":1964}' \
  "$B2/api/v1/records")" = 201
"$PGT" restart "$S"
check "the standby back: it catches up" wait_replay
check "the standby back: reads come back without restarting genu" \
  test "$(get /api/v1/records/patient/LATE3)" = 200
check "  and analyses too" test "$(get "/api/v1/claim?$CLAIM&as_of=$AS_OF")" = 200
check "the server started without the standby now reads from it" \
  test "$(get /api/v1/records/patient/LATE4 "$B2" "$T/jar2")" = 200
check "the server is still running" kill -0 "$SPID1"
kill -TERM "$SPID1"; wait "$SPID1"
check "  and stops gracefully on SIGTERM (exit 0)" test $? = 0
check "  having logged the 503s" grep -q 'the read replica could not answer' serve1.err
check "  and no sanitizer report" sh -c "! grep -q 'Sanitizer' serve1.err"
sed 's/^/    /' "$T/lag.log"
finish
