#!/usr/bin/env bash
# The PostgreSQL backend end to end, on a private server of its own
# (scripts/pg-test.sh: initdb in a temporary directory, a Unix socket only).
# Never skipped: without PostgreSQL installed this test fails.
#  - the store contract tests (tests/unit/store/test_store_contract.c) on
#    PostgreSQL, the same tests the SQLite build runs;
#  - import/export round trips with --db postgresql://…, byte-identical to
#    SQLite's; SQLite -> PostgreSQL -> export byte-identical;
#  - claim, survival and report JSON identical on both backends;
#  - clear errors: server down, authentication failure, missing database,
#    a database without a registry;
#  - the server killed mid-import, and the client killed mid-import: nothing
#    partial; concurrent imports keep the audit chain intact;
#  - backup: a consistent SQLite copy; the Citus distribution key check;
#  - import rates of both backends for the same file.
. "$(dirname "$0")/lib.sh"
: "${GENU_BUILD:?set GENU_BUILD to the build directory}"
PGT="$GENU_SRC/scripts/pg-test.sh"
PGDIR="$T/pg"
chmod 711 "$T" # the server's user must reach its directory inside ours
stop_pg() { "$PGT" stop "$PGDIR" 2>/dev/null || "$PGT" kill "$PGDIR" 2>/dev/null; }
at_exit stop_pg # before lib.sh removes $T

URL=$("$PGT" start "$PGDIR") || { fail "private PostgreSQL server starts"; finish; }
pass "private PostgreSQL server starts"
psql_q() { "$PGT" psql "$PGDIR" -At "$@"; }
base=${URL%%/genu\?*}
q=${URL#*\?}
url_db() { echo "$base/$1?$q"; }   # the same server, another database
newdb() { psql_q -c "CREATE DATABASE $1" >/dev/null && url_db "$1"; }

# ---- the store contract on PostgreSQL ----
CONTRACT=$(newdb contract)
bin="$GENU_BUILD/tests/unit_store_test_store_contract"
if GENU_TEST_DB="$CONTRACT" "$bin" >"$T/contract.out" 2>&1; then
  pass "store contract tests on PostgreSQL ($(grep -c '^\[       OK' "$T/contract.out") tests)"
else
  fail "store contract tests on PostgreSQL"; grep -E 'FAILED|Error|error' "$T/contract.out" | head -10 | sed 's/^/    /'
fi

# ---- round trips ----
python3 "$GENU_SRC/tools/gen_registry.py" 300 7 --koos > good.jsonl
cat "$GENU_SRC/examples/clinic.jsonl" >> good.jsonl
echo '{"type":"patient","id":"X1","site":"s","sex":"female","birth_year":1950,"shoe_size":38,"extra":{"mrn":"A-1"}}' >> good.jsonl
echo '{"type":"diagnosis","patient":"X1","knee":"left","date":"2020-01-01","condition":"gout","source_system":{"name":"emr","v":2}}' >> good.jsonl
# ids whose order differs between bytewise and locale collation
echo '{"type":"patient","id":"a-lower","site":"s","sex":"male","birth_year":1960}' >> good.jsonl
echo '{"type":"patient","id":"Z-upper","site":"s","sex":"male","birth_year":1960}' >> good.jsonl
echo '{"type":"patient","id":"\u00e9-accent","site":"s","sex":"male","birth_year":1960}' >> good.jsonl

A=$(newdb a)
expect_status 1 "a database without a registry is refused" "$GENU" --db "$A" status
check "... and says how to create one" grep -q 'not a genu registry (create one with genu init)' err
expect_status 0 "init on PostgreSQL" "$GENU" --db "$A" init
check "init names the backend" grep -q 'postgresql, schema version 7' out
expect_status 0 "init again is harmless" "$GENU" --db "$A" init
expect_status 0 "import into PostgreSQL" "$GENU" --db "$A" import good.jsonl
"$GENU" --db "$A" export > pg1.jsonl
"$GENU" --db s.db init >/dev/null
"$GENU" --db s.db import good.jsonl >/dev/null
"$GENU" --db s.db export > sq1.jsonl
check "PostgreSQL export is byte-identical to SQLite's" cmp -s pg1.jsonl sq1.jsonl
check "records all exported" test "$(wc -l < pg1.jsonl)" -eq "$(grep -c . good.jsonl)"
check "unknown fields kept in extra" grep -q '"extra":{"mrn":"A-1","shoe_size":38}' pg1.jsonl
# (de-identified exports differ by design: each registry has its own key)

B=$(newdb b)
"$GENU" --db "$B" init >/dev/null
expect_status 0 "import SQLite's export into PostgreSQL" "$GENU" --db "$B" import sq1.jsonl
"$GENU" --db "$B" export > pg2.jsonl
check "SQLite -> PostgreSQL -> export is byte-identical" cmp -s sq1.jsonl pg2.jsonl
"$GENU" --db s2.db init >/dev/null
"$GENU" --db s2.db import pg2.jsonl >/dev/null
check "PostgreSQL -> SQLite -> export is byte-identical" cmp -s pg2.jsonl <("$GENU" --db s2.db export)

expect_status 0 "re-import into PostgreSQL" "$GENU" --db "$A" import good.jsonl
check "re-import reports nothing added" grep -q "(0 added, 0 updated" out
check "re-import duplicates nothing" cmp -s pg1.jsonl <("$GENU" --db "$A" export)
echo '{"type":"patient","id":"X1","site":"s","sex":"female","birth_year":1950,"weight_kg":70}' > upd.jsonl
expect_status 0 "re-import with a changed record" "$GENU" --db "$A" import upd.jsonl
check "update is reported" grep -q '1 updated' out
check "update is stored" grep -q '"id":"X1".*"weight_kg":70' <("$GENU" --db "$A" export)
"$GENU" --db s.db import upd.jsonl >/dev/null
"$GENU" --db "$A" export > pg3.jsonl
"$GENU" --db s.db export > sq3.jsonl

before=$(sha256sum < pg3.jsonl)
bad_case() {
  local name=$1 line=$2 pattern=$3
  { head -n 1500 good.jsonl; printf '%s\n' "$line"; tail -n +1501 good.jsonl; } > bad.jsonl
  expect_status 1 "PostgreSQL rejects $name" "$GENU" --db "$A" import bad.jsonl
  grep -q "^bad.jsonl:1501: .*$pattern" err && pass "$name names line 1501" || fail "$name names line 1501"
  [ "$("$GENU" --db "$A" export | sha256sum)" = "$before" ] && pass "$name changes nothing" || fail "$name changes nothing"
}
bad_case "a truncated line" '{"type":"patient","id":"T1","site":"s","sex":"ma' 'invalid JSON'
bad_case "a dangling patient" '{"type":"diagnosis","patient":"NOPE","knee":"left","date":"2020-01-01","condition":"gout"}' 'no patient "NOPE"'
bad_case "a duplicate id" '{"type":"patient","id":"P000003","site":"s","sex":"male","birth_year":1950}' 'duplicate patient id "P000003"'

# ---- analyses: the same JSON from both backends ----
same_json() {
  local name=$1; shift
  if "$GENU" --db "$A" "$@" > a.json 2>a.err && "$GENU" --db s.db "$@" > s.json 2>s.err; then
    check "$name JSON identical on both backends" cmp -s a.json s.json
  else
    fail "$name runs on both backends"; sed 's/^/    /' a.err s.err | head -4
  fi
}
same_json claim claim --responder 'improvement_pct:nprs.intensity>=50' --at 12m --expect 0.5 --as-of 2026-01-01 --format json
same_json "claim (KOOS)" claim --responder 'change:koos.pain>=10' --at 6m --expect 0.5 --as-of 2026-01-01 --format json
same_json survival survival --event replacement --by kl --as-of 2026-01-01 --format json
same_json report report --as-of 2026-01-01 --format json
for id in P000001 P000002; do same_json "case $id" case "$id" --as-of 2026-01-01 --format json; done

# ---- clear errors ----
expect_status 3 "server down is an I/O error (exit 3)" "$GENU" --db "postgresql://postgres@/genu?host=$T/nowhere&port=5432" status
check "server down: names the server and the cause" grep -q "cannot connect to PostgreSQL (database genu, user postgres, host $T/nowhere, port 5432).*No such file" err
expect_status 3 "authentication failure is an I/O error (exit 3)" "$GENU" --db "postgresql://genu_pw:wrong@/genu?$q" status
check "authentication failure says so" grep -q 'password authentication failed for user "genu_pw"' err
check "the password is never shown" bash -c "! grep -q wrong err"
expect_status 1 "a missing database is an error (not found, exit 1)" "$GENU" --db "$(url_db nodb)" status
check "a missing database is named" grep -q 'database "nodb" does not exist' err
expect_status 1 "the right password connects (to a database without a registry)" "$GENU" --db "postgresql://genu_pw:right@/genu?$q" status
check "... and gets past authentication" grep -q 'not a genu registry' err

# ---- nothing partial: the server killed mid-import ----
python3 "$GENU_SRC/tools/gen_registry.py" "${PG_CRASH_PATIENTS:-3000}" 11 --koos > big.jsonl
C=$(newdb crash)
"$GENU" --db "$C" init >/dev/null
"$GENU" --db "$C" import "$GENU_SRC/examples/clinic.jsonl" >/dev/null
c_before=$("$GENU" --db "$C" export | sha256sum)
# wait until the import's transaction has written (it holds a transaction id)
writing() {
  [ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name='genu' AND backend_xid IS NOT NULL" 2>/dev/null)" = 1 ]
}
wait_writing() {
  local pid=$1 i
  for i in $(seq 1 3000); do writing && return 0; kill -0 "$pid" 2>/dev/null || return 1; sleep 0.01; done
  return 1
}
"$GENU" --db "$C" import big.jsonl >imp.out 2>imp.err &
pid=$!
if wait_writing $pid; then
  sleep 0.3
  "$PGT" kill "$PGDIR"
  wait $pid; rc=$?
  check "import fails when the server dies" test "$rc" -ne 0
  check "... with a clear error" grep -qi 'connection\|server closed' imp.err
  "$PGT" restart "$PGDIR"
  check "after a server crash the registry is unchanged" test "$("$GENU" --db "$C" export | sha256sum)" = "$c_before"
else
  wait $pid; fail "the import was caught writing (server kill)"
fi

# ---- nothing partial: the client killed mid-import ----
"$GENU" --db "$C" import big.jsonl >imp.out 2>imp.err &
pid=$!
if wait_writing $pid; then
  sleep 0.3
  kill -9 $pid; wait $pid 2>/dev/null
  for i in $(seq 1 100); do writing || break; sleep 0.05; done
  check "after kill -9 of genu the registry is unchanged" test "$("$GENU" --db "$C" export | sha256sum)" = "$c_before"
else
  wait $pid; fail "the import was caught writing (client kill)"
fi
expect_status 0 "import after the crashes completes" "$GENU" --db "$C" import big.jsonl
check "... with every record" test "$("$GENU" --db "$C" export | wc -l)" -eq $(( $(grep -c . big.jsonl) + $(grep -c . "$GENU_SRC/examples/clinic.jsonl") ))
expect_status 0 "audit trail intact after the crashes" "$GENU" --db "$C" audit verify

# ---- concurrent writers are serialised ----
W=$(newdb writers)
"$GENU" --db "$W" init >/dev/null
python3 "$GENU_SRC/tools/gen_registry.py" 200 3 > w1.jsonl
sed 's/"P0/"Q0/g' w1.jsonl > w2.jsonl
"$GENU" --db "$W" import w1.jsonl >w1.out 2>&1 & p1=$!
"$GENU" --db "$W" import w2.jsonl >w2.out 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "two concurrent imports both succeed" test "$r1$r2" = 00
expect_status 0 "audit trail intact after concurrent writers" "$GENU" --db "$W" audit verify

# ---- backup: a consistent SQLite copy ----
expect_status 0 "backup of a PostgreSQL registry" "$GENU" --db "$A" backup copy.db
check "the backup exports like the original" cmp -s pg3.jsonl <("$GENU" --db copy.db export)
expect_status 0 "the backup's audit trail verifies" "$GENU" --db copy.db audit verify
expect_status 1 "backup never overwrites a file" "$GENU" --db "$A" backup copy.db

# ---- audit tampering is detected on PostgreSQL ----
ADB=$(basename "${A%%\?*}")
"$PGT" psql "$PGDIR" -d "$ADB" -c "ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET actor='mallory' WHERE seq=5; ALTER TABLE audit ENABLE TRIGGER USER" >/dev/null 2>&1
expect_status 1 "an edited audit row is detected" "$GENU" --db "$A" audit verify

# ---- Citus: every clinical table carries the distribution key `patient` ----
missing=$("$PGT" psql "$PGDIR" -d "$ADB" -At -c "
  SELECT string_agg(t, ',') FROM unnest(ARRAY['patient','identity','diagnosis','treatment',
    'response','adverse_event','exam','survey_link']) AS t
  WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns c
                    WHERE c.table_schema = current_schema() AND c.table_name = t
                      AND c.column_name = 'patient' AND c.is_nullable = 'NO')")
check "every clinical table has a NOT NULL patient column (missing: ${missing:-none})" test -z "$missing"
refs=$("$PGT" psql "$PGDIR" -d "$ADB" -At -c "
  SELECT count(*) FROM information_schema.referential_constraints r
  JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name
  JOIN information_schema.constraint_column_usage u ON u.constraint_name = r.constraint_name
  WHERE k.table_schema = current_schema() AND u.table_name = 'patient'
    AND NOT (k.column_name = 'patient' AND u.column_name = 'id')")
check "every reference to patient goes through the distribution key" test "$refs" = 0

# ---- figures: import rate of both backends, same file ----
rate() {
  local db=$1 t0 t1
  t0=$(date +%s.%N); "$GENU" --db "$db" import big.jsonl >/dev/null; t1=$(date +%s.%N)
  python3 -c "import sys; n=int(sys.argv[1]); d=float(sys.argv[3])-float(sys.argv[2]); print('%d records in %.2f s: %.0f records/s' % (n, d, n/d))" "$(grep -c . big.jsonl)" "$t0" "$t1"
}
R=$(newdb rate)
"$GENU" --db "$R" init >/dev/null
"$GENU" --db rate.db init >/dev/null
echo "import rate, SQLite:     $(rate rate.db)"
echo "import rate, PostgreSQL: $(rate "$R")"
finish
