#!/usr/bin/env bash
# Scheduled backups (docs/operations.md, Backup): genu backup --dir DIR
# --keep N names the copy by the time, verifies it and keeps the N newest
# copies (other files untouched); genu backup --verify FILE checks a copy's
# audit chain and reports an edited one.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry bk)
G() { "$GENU" --db "$DB" "$@"; }
G init >/dev/null
cat >reg.jsonl <<'JL'
{"type":"patient","id":"A1","site":"oak","sex":"male","birth_year":1950}
{"type":"treatment","id":"TA","patient":"A1","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
JL
G import reg.jsonl >/dev/null
mkdir backups
for d in 20240101 20240102 20240103; do : >"backups/genu-$d-010000Z.db"; done
: >backups/notes.txt
: >backups/genu-latest.db
expect_status 0 "backup --dir --keep 2" G backup --dir backups --keep 2
new=$(ls backups | grep -E '^genu-[0-9]{8}-[0-9]{6}Z\.db$' | sort | tail -n 1)
check "  made a copy named by the time" test -n "$new" -a "$new" != genu-20240103-010000Z.db
check "  and verified it" grep -q "backups/$new: audit trail intact: 2 changes" out
check "  kept the two newest copies" test "$(ls backups | grep -cE '^genu-[0-9]{8}-[0-9]{6}Z\.db$')" = 2
check "  deleting the oldest" test ! -e backups/genu-20240101-010000Z.db -a ! -e backups/genu-20240102-010000Z.db
check "  keeping the one before the new" test -e backups/genu-20240103-010000Z.db
check "  and other files" test -e backups/notes.txt -a -e backups/genu-latest.db
check "the copy exports like the registry" sh -c "'$GENU' --db '$DB' export >a.jsonl && '$GENU' --db 'backups/$new' export >b.jsonl && cmp -s a.jsonl b.jsonl"
sqlite_only check "the copy is its owner's alone (0600)" test "$(stat -c %a "backups/$new")" = 600
expect_status 0 "backup --verify of a good copy" "$GENU" backup --verify "backups/$new"
check "  says it is intact" grep -q 'audit trail intact: 2 changes' out
cp "backups/$new" edited.db
python3 - edited.db <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER audit_append_only_u")
c.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 1")
c.commit()
PY
expect_status 1 "backup --verify of an edited copy fails" "$GENU" backup --verify edited.db
check "  saying where" grep -q 'edited.db: audit trail broken' out
expect_status 2 "--keep 0 is refused" G backup --dir backups --keep 0
expect_status 2 "FILE and --dir together are refused" G backup x.db --dir backups
expect_status 1 "--dir that does not exist is refused" G backup --dir nothere
finish
