#!/usr/bin/env bash
# Upgrades (docs/operations.md, Upgrade): a registry written by the first
# release (commit 9906097, tests/fixtures/upgrade/README.md) opens in this
# genu only through genu migrate, on SQLite and on PostgreSQL. Before the
# migration the registry is refused and left alone; a migration that fails
# (GENU_TEST_FAIL_MIGRATION, the tests' fault injection) leaves it as it
# was; genu migrate --backup keeps a copy of it as it was; after, it exports
# the records the old release exported, its accounts sign in, its setting
# holds and its audit trail verifies. Nothing here names a schema version:
# the checks compare with the fixture and with what the old release wrote.
. "$GENU_SRC/tests/e2e/lib.sh"
FX=$GENU_SRC/tests/fixtures/upgrade
export GENU_CONFIG=/dev/null
signin() { # signin NAME PASSWORD -> HTTP status of the sign-in
  curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$B/api/v1/session"
}
# after_upgrade BACKEND DB: what must hold once DB is migrated
after_upgrade() {
  local be=$1 db=$2
  "$GENU" --db "$db" export >"export.$be.jsonl"
  check "$be: the export equals the one the old release made" cmp -s "export.$be.jsonl" "$FX/v2-9906097.export.jsonl"
  expect_status 0 "$be: audit verify passes" "$GENU" --db "$db" audit verify
  check "$be:   over every change the old release audited (39)" grep -q 'audit trail intact: 39 changes' out
  check "$be: the registry's setting is kept" test "$("$GENU" --db "$db" settings get womac.max_missing)" = 2,0,3
  expect_status 0 "$be: a second migrate has nothing to do" "$GENU" --db "$db" migrate
  check "$be:   saying so" grep -q 'nothing to migrate' out
  start_server "$db" --threads 2 --followup-interval 0
  check "$be: the old release's admin signs in" test "$(signin admin fixture-admin-2718)" = 200
  check "$be: the old release's clinician signs in" test "$(signin clin fixture-clin-3141)" = 200
  check "$be:   a wrong password is still refused" test "$(signin clin fixture-clin-0000)" = 401
  kill "$SPID"; wait "$SPID" 2>/dev/null
  printf '%s\n' '{"type":"patient","id":"NEW1","site":"oak-park","sex":"female","birth_year":1960}' >new.jsonl
  expect_status 0 "$be: the upgraded registry takes new records" "$GENU" --db "$db" import new.jsonl
  expect_status 0 "$be:   and its audit chain goes on intact" "$GENU" --db "$db" audit verify
}

# ---- SQLite: the registry file the old release wrote
cp "$FX/v2-9906097.db" up.db
chmod 600 up.db
expect_status 1 "sqlite: the old registry is refused before genu migrate" "$GENU" --db up.db export
check "sqlite:   saying to back it up and run genu migrate" grep -q 'older than this genu.*genu migrate' err
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
expect_status 1 "sqlite: genu serve refuses it too" timeout 20 "$GENU" --db up.db serve --listen "127.0.0.1:$port"
check "sqlite:   saying to run genu migrate" grep -q 'genu migrate' err
check "sqlite:   and left as it was" cmp -s up.db "$FX/v2-9906097.db"
expect_status 3 "sqlite: a migration that fails is a storage error (exit 3)" env GENU_TEST_FAIL_MIGRATION=1 "$GENU" --db up.db migrate
check "sqlite:   naming the failure" grep -q 'migration failed on purpose' err
check "sqlite:   and leaves the file as it was, byte for byte" cmp -s up.db "$FX/v2-9906097.db"
check "sqlite:   (no WAL left behind)" test ! -s up.db-wal
expect_status 0 "sqlite: genu migrate --backup" "$GENU" --db up.db migrate --backup pre.db
check "sqlite:   says what it did" grep -q 'migrated from schema version' out
check "sqlite:   the backup holds the registry as it was" \
  test "$(sqlite3 pre.db .dump | md5sum)" = "$(sqlite3 "$FX/v2-9906097.db" .dump | md5sum)"
check "sqlite:   the backup is its owner's alone (0600)" test "$(stat -c %a pre.db)" = 600
expect_status 1 "sqlite: --backup never overwrites" "$GENU" --db up.db migrate --backup pre.db
after_upgrade sqlite up.db
# the trail's hashes and create digests, hex text before, are their bytes now
hashes() { sqlite3 "$1" "SELECT seq, $2 FROM audit WHERE seq <= 39 ORDER BY seq"; }
hashes "$FX/v2-9906097.db" "prev, hash, after" >hashes.before
hashes up.db "lower(hex(prev)), lower(hex(hash)),
  CASE typeof(after) WHEN 'blob' THEN 'sha256:' || lower(hex(after)) ELSE after END" >hashes.after
check "sqlite: the migrated trail keeps every hash, as bytes" cmp -s hashes.before hashes.after
check "sqlite:   (none left as text)" test "$(sqlite3 up.db "SELECT count(*) FROM audit WHERE typeof(hash) <> 'blob' OR typeof(prev) <> 'blob' OR (typeof(after) = 'text' AND after GLOB 'sha256:*')")" = 0
check "sqlite:   and the trail is append-only again" sh -c "! sqlite3 up.db \"UPDATE audit SET actor = 'x' WHERE seq = 1\" 2>/dev/null"

# a long trail (50,000 more rows, hex hashes as the old release wrote them)
# migrates in one statement of several megabytes of journal; the rows are
# made up, so only their conversion is checked, not the chain
cp "$FX/v2-9906097.db" long.db
chmod 600 long.db
sqlite3 long.db "WITH RECURSIVE n(i) AS (SELECT 40 UNION ALL SELECT i + 1 FROM n WHERE i < 50039)
  INSERT INTO audit(seq, at_us, actor, action, type, record_id, before, after, prev, hash)
  SELECT i, i, 'cli:import', 'create', 'patient', 'L' || i, NULL,
         'sha256:' || lower(hex(randomblob(32))), lower(hex(randomblob(32))), lower(hex(randomblob(32)))
  FROM n"
sqlite3 long.db "SELECT seq, prev, hash, after FROM audit WHERE seq > 39 ORDER BY seq" >long.before
expect_status 0 "sqlite: a trail of 50,039 rows migrates" "$GENU" --db long.db migrate
sqlite3 long.db "SELECT seq, lower(hex(prev)), lower(hex(hash)), 'sha256:' || lower(hex(after))
  FROM audit WHERE seq > 39 ORDER BY seq" >long.after
check "sqlite:   every one of its hashes kept, as bytes" cmp -s long.before long.after

# ---- PostgreSQL: the old release's database, restored from its pg_dump
PG=$(GENU_TEST_BACKEND=postgresql new_registry upgrade)
pgsql() { "$GENU_SRC/scripts/pg-test.sh" psql "$T/pg" -d upgrade -v ON_ERROR_STOP=1 -q "$@"; }
check "postgresql: the old release's dump restores" sh -c "$(declare -f pgsql); T='$T' GENU_SRC='$GENU_SRC' pgsql -f '$FX/v2-9906097.pg.sql' >/dev/null"
shape() { # the schema's version and columns: what a migration changes
  registry_sql "$PG" "SELECT max(version) FROM schema_migrations" 
  registry_sql "$PG" "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
}
shape >shape.before
expect_status 1 "postgresql: the old registry is refused before genu migrate" "$GENU" --db "$PG" export
check "postgresql:   saying to run genu migrate" grep -q 'older than this genu.*genu migrate' err
expect_status 3 "postgresql: a migration that fails is a storage error (exit 3)" env GENU_TEST_FAIL_MIGRATION=1 "$GENU" --db "$PG" migrate
shape >shape.failed
check "postgresql:   and leaves the schema as it was" cmp -s shape.before shape.failed
expect_status 1 "postgresql: migrate --backup points to pg_dump" "$GENU" --db "$PG" migrate --backup pg.db
check "postgresql:   saying so" grep -q 'pg_dump' err
check "postgresql:   and changes nothing" sh -c "$(declare -f registry_sql shape); PG='$PG' GENU_SRC='$GENU_SRC' shape | cmp -s - shape.before"
expect_status 0 "postgresql: genu migrate" "$GENU" --db "$PG" migrate
shape >shape.after
check "postgresql:   changed the schema" sh -c "! cmp -s shape.before shape.after"
after_upgrade postgresql "$PG"
finish
