#!/usr/bin/env bash
# genu init/import/export end to end: round trip, idempotent re-import, bad
# input of every class changes nothing and names the line, --skip-invalid.
. "$(dirname "$0")/lib.sh"
A=$(new_registry a) B=$(new_registry b) C=$(new_registry c) D=$(new_registry d)

python3 "$GENU_SRC/tools/gen_registry.py" 300 7 --koos > good.jsonl
cat "$GENU_SRC/examples/clinic.jsonl" >> good.jsonl
# unknown fields and an explicit extra survive the round trip
echo '{"type":"patient","id":"X1","site":"s","sex":"female","birth_year":1950,"shoe_size":38,"extra":{"mrn":"A-1"}}' >> good.jsonl
echo '{"type":"diagnosis","patient":"X1","knee":"left","date":"2020-01-01","condition":"gout","source_system":{"name":"emr","v":2}}' >> good.jsonl

expect_status 0 "init creates a registry" "$GENU" --db "$A" init
expect_status 0 "import a valid file" "$GENU" --db "$A" import good.jsonl
"$GENU" --db "$A" export > a1.jsonl
expect_status 0 "import the export into a new registry" "$GENU" --db "$B" import a1.jsonl
"$GENU" --db "$B" export > b1.jsonl
check "round trip is byte-identical" cmp -s a1.jsonl b1.jsonl
check "records all exported" test "$(wc -l < a1.jsonl)" -eq "$(grep -c . good.jsonl)"
check "unknown fields kept in extra" grep -q '"extra":{"mrn":"A-1","shoe_size":38}' a1.jsonl
check "nested unknown field kept" grep -q '"extra":{"source_system":{"name":"emr","v":2}}' a1.jsonl
check "responses carry computed scores" grep -q '"instrument":"nprs","items":{"intensity":[0-9]*},"version":[0-9]*,"scores":{"intensity":' a1.jsonl

expect_status 0 "re-importing the same file" "$GENU" --db "$A" import good.jsonl
check "re-import reports nothing added" grep -q "(0 added, 0 updated" out
"$GENU" --db "$A" export > a2.jsonl
check "re-import duplicates nothing" cmp -s a1.jsonl a2.jsonl

# identical lines without ids are two records (two therapy sessions on one
# day), and importing them again changes nothing
printf '%s\n' '{"type":"patient","id":"PT1","site":"s","sex":"male","birth_year":1950}' \
  '{"type":"treatment","patient":"PT1","knee":"left","date":"2020-03-02","kind":"physical_therapy"}' \
  '{"type":"treatment","patient":"PT1","knee":"left","date":"2020-03-02","kind":"physical_therapy"}' >twice.jsonl
expect_status 0 "two identical id-less lines import" "$GENU" --db "$A" import twice.jsonl
check "  as two records" grep -q '(3 added, 0 updated, 0 unchanged)' out
check "  the second with the derived id and -2" grep -q '"id":"t-[0-9a-f]*-2","patient":"PT1"' <("$GENU" --db "$A" export)
expect_status 0 "importing them again" "$GENU" --db "$A" import twice.jsonl
check "  changes nothing" grep -q '(0 added, 0 updated, 3 unchanged)' out
"$GENU" --db "$A" export > a1.jsonl

# an update: same patient id, new weight
echo '{"type":"patient","id":"X1","site":"s","sex":"female","birth_year":1950,"weight_kg":70}' > upd.jsonl
expect_status 0 "re-import with a changed record" "$GENU" --db "$A" import upd.jsonl
check "update is reported" grep -q '1 updated' out
check "update is stored" grep -q '"id":"X1".*"weight_kg":70' <("$GENU" --db "$A" export)

# bad input: each class, one bad line among thousands, registry unchanged
before=$("$GENU" --db "$A" export | sha256sum)
n=$(wc -l < good.jsonl)
bad_case() {
  local name=$1 line=$2 pattern=$3
  { head -n 1500 good.jsonl; printf '%s\n' "$line"; tail -n +1501 good.jsonl; } > bad.jsonl
  # a fresh copy of the registry makes each case independent of the others
  expect_status 1 "rejects $name" "$GENU" --db "$A" import bad.jsonl
  if grep -q "^bad.jsonl:1501: .*$pattern" err; then pass "$name names line 1501"; else fail "$name names line 1501"; sed 's/^/    /' err | head -3; fi
  [ "$("$GENU" --db "$A" export | sha256sum)" = "$before" ] && pass "$name changes nothing" || fail "$name changes nothing"
}
bad_case "a truncated line" '{"type":"patient","id":"T1","site":"s","sex":"ma' 'invalid JSON'
bad_case "invalid UTF-8" $'{"type":"patient","id":"U\xff1","site":"s","sex":"male","birth_year":1950}' 'invalid JSON'
bad_case "a string for an integer" '{"type":"patient","id":"W1","site":"s","sex":"male","birth_year":"1950"}' 'birth_year.*integer'
bad_case "a real for an item" '{"type":"response","patient":"P000001","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":2.5}}' 'intensity'
bad_case "an out-of-range answer" '{"type":"response","patient":"P000001","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":11}}' 'intensity'
bad_case "an unknown condition" '{"type":"diagnosis","patient":"P000001","knee":"left","date":"2020-01-01","condition":"arthritis"}' 'condition.*unknown code'
bad_case "an unknown kind" '{"type":"treatment","patient":"P000001","knee":"left","date":"2020-01-01","kind":"stem_cells"}' 'kind.*unknown code'
bad_case "an unknown site" '{"type":"treatment","patient":"P000001","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular","acl"]}' 'sites\[1\]'
bad_case "an unknown type" '{"type":"visit","patient":"P000001"}' 'unknown record type'
bad_case "an unknown instrument" '{"type":"response","patient":"P000001","knee":"left","date":"2020-01-01","instrument":"vas","items":{}}' 'unknown instrument'
bad_case "a dangling patient" '{"type":"diagnosis","patient":"NOPE","knee":"left","date":"2020-01-01","condition":"gout"}' 'no patient "NOPE"'
bad_case "a dangling treatment" '{"type":"adverse_event","patient":"P000001","knee":"left","date":"2020-01-01","kind":"infection","severity":3,"serious":true,"treatment":"t-none"}' 'no treatment "t-none"'
bad_case "a duplicate id" '{"type":"patient","id":"P000003","site":"s","sex":"male","birth_year":1950}' 'duplicate patient id "P000003"'
bad_case "an impossible date" '{"type":"diagnosis","patient":"P000001","knee":"left","date":"2023-02-30","condition":"gout"}' 'date.*not a calendar date'
bad_case "a missing field" '{"type":"diagnosis","patient":"P000001","knee":"left","condition":"gout"}' 'field "date": required'
bad_case "a bad knee" '{"type":"diagnosis","patient":"P000001","knee":"both","date":"2020-01-01","condition":"gout"}' 'knee.*left or right'
bad_case "a KL grade of 5" '{"type":"diagnosis","patient":"P000001","knee":"left","date":"2020-01-01","condition":"osteoarthritis","kl_grade":5}' 'kl_grade.*out of range'
bad_case "a non-object line" '[1,2,3]' 'expected a JSON object'

# every error is listed, not only the first
{ cat good.jsonl; echo '{"type":"patient"}'; echo 'not json'; } > two.jsonl
expect_status 1 "two bad lines" "$GENU" --db "$A" import two.jsonl
check "both bad lines listed" test "$(grep -c '^two.jsonl:' err)" -eq 2

# --skip-invalid stores the valid records and writes the rejects with reasons
{ echo '{"type":"patient","id":"S1","site":"s","sex":"male","birth_year":1950}'
  echo '{"type":"patient","id":"S2","site":"s","sex":"male"}'
  echo '{"type":"diagnosis","patient":"S2","knee":"left","date":"2020-01-01","condition":"gout"}'
  echo '{"type":"diagnosis","patient":"S1","knee":"left","date":"2020-01-01","condition":"gout"}'; } > skip.jsonl
expect_status 1 "skip-invalid reports rejects" "$GENU" --db "$C" import --skip-invalid rejects.txt skip.jsonl
check "valid records stored" test "$("$GENU" --db "$C" export | wc -l)" -eq 2
check "rejected line and its dependant written" test "$(wc -l < rejects.txt)" -eq 2
check "reject file names line and reason" grep -q '^skip.jsonl:3: field "patient": no patient "S2"' rejects.txt

# stdin, and errors on the command line
expect_status 0 "import from stdin" sh -c "\"$GENU\" --db \"$D\" import - < \"$GENU_SRC/examples/clinic.jsonl\""
expect_status 2 "import without files" "$GENU" --db "$D" import
expect_status 1 "import of a missing file" "$GENU" --db "$D" import nope.jsonl
check "missing file error format" grep -q '^genu: error: nope.jsonl: No such file' err
NONE=$(new_registry none)
expect_status 1 "export without a registry" "$GENU" --db "$NONE" export
check "... and says how to make one" grep -q '(create one with genu init)' err
sqlite_only check "no registry file was created" test ! -e "$NONE"
expect_status 1 "... and made none" "$GENU" --db "$NONE" status
expect_status 2 "unknown command" "$GENU" frobnicate
expect_status 0 "--help on import" "$GENU" import --help
expect_status 0 "--version" "$GENU" --version
E=$(new_registry e)
GENU_DB=$E expect_status 0 "GENU_DB selects the registry" "$GENU" init
sqlite_only check "GENU_DB file exists" test -e "$E"
expect_status 0 "the registry GENU_DB chose is there" "$GENU" --db "$E" status
finish
