#!/usr/bin/env bash
# CSV, REDCap and FHIR end to end: round trips keep every record byte for
# byte, bad input names its place and stores nothing, the FHIR Bundle is
# structurally valid, and de-identified output of every format holds none of
# the identifiers a registry full of them was given.
. "$(dirname "$0")/lib.sh"

python3 "$GENU_SRC/tools/gen_registry.py" 60 11 --koos > good.jsonl
cat "$GENU_SRC/examples/clinic.jsonl" >> good.jsonl
# identities, notes and extra fields full of identifiers
python3 - >> good.jsonl <<'EOF'
import json
for i in range(60):
    pid = f"P{i:06d}"
    print(json.dumps({"type": "identity", "patient": pid, "name": f"Zebulon Quixworth{i}",
                      "date_of_birth": f"19{40 + i % 40}-0{1 + i % 9}-1{i % 10}",
                      "email": f"zq{i}@leakcheck.example", "phone": f"+1-555-0{i:03d}-7788"}))
    print(json.dumps({"type": "diagnosis", "patient": pid, "knee": "left", "date": "2016-03-04",
                      "condition": "gout", "note": f"seen with wife Marigold Plumtree{i}",
                      "mrn": f"MRN-SECRET-{i:05d}"}))
    print(json.dumps({"type": "treatment", "patient": pid, "knee": "left", "date": "2016-03-05",
                      "kind": "prp", "sites": ["intra_articular", "mcl"],
                      "clinician": "Dr Hortensia Vantablack", "note": "call Quixworth at home",
                      "product": {"source": "venous_blood", "volume_ml": 4,
                                  "donor": "Marigold Plumtree"}}))
EOF
echo '{"type":"patient","id":"X1","site":"s","sex":"female","birth_year":1950,"extra":{"ssn":"078-05-1120"}}' >> good.jsonl
echo '{"type":"exam","patient":"X1","knee":"right","date":"2020-05-05","findings":{"swelling":"marked","locking":true},"note":"neighbour Ozymandias Flint"}' >> good.jsonl
echo '{"type":"treatment","id":"T-K2-Quixworth","patient":"K2","knee":"left","date":"2019-04-05","kind":"prp","sites":["intra_articular"]}' >> good.jsonl
echo '{"type":"adverse_event","patient":"K2","knee":"left","date":"2019-04-08","kind":"infection","severity":3,"serious":true,"treatment":"T-K2-Quixworth","note":"Quixworth called"}' >> good.jsonl

A=$(new_registry a)
"$GENU" --db "$A" init >/dev/null
expect_status 0 "import the source registry" "$GENU" --db "$A" import good.jsonl
"$GENU" --db "$A" export > a.jsonl
nrec=$(wc -l < a.jsonl)

# ---- round trips ----
roundtrip() { # NAME IMPORT-ARGS...
  local name=$1; shift
  local db; db=$(new_registry "rt_$name")
  "$GENU" --db "$db" init >/dev/null
  expect_status 0 "$name: import the export" "$GENU" --db "$db" import "$@"
  "$GENU" --db "$db" export > "rt_$name.jsonl"
  check "$name: round trip keeps every record byte for byte" cmp -s a.jsonl "rt_$name.jsonl"
}
expect_status 0 "csv: export" "$GENU" --db "$A" export --format csv --output csv
check "csv: one file per record type" test "$(ls csv | wc -l)" -eq 9
roundtrip csv --format csv csv/*.csv
expect_status 0 "redcap: export" "$GENU" --db "$A" export --format redcap --output rc
roundtrip redcap --format redcap rc/dictionary.csv rc/records.csv
expect_status 0 "fhir: export" "$GENU" --db "$A" export --format fhir --output bundle.json
roundtrip fhir --format fhir bundle.json
check "fhir: stdout export is the same bundle" cmp -s bundle.json <("$GENU" --db "$A" export --format fhir)

# ---- REDCap project shape ----
check "redcap: dictionary has REDCap's 18 columns in order" python3 - rc/dictionary.csv <<'EOF'
import csv, sys
h = next(csv.reader(open(sys.argv[1])))
want = ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
        "Choices, Calculations, OR Slider Labels", "Field Note",
        "Text Validation Type OR Show Slider Number", "Text Validation Min",
        "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
        "Required Field?", "Custom Alignment", "Question Number (surveys only)",
        "Matrix Group Name", "Matrix Ranking?", "Field Annotation"]
sys.exit(h != want)
EOF
check "redcap: records use events and repeating instruments" python3 - rc <<'EOF'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/records.csv")))
events = {r["unique_event_name"] for r in csv.DictReader(open(d + "/events.csv"))}
rep = {(r["event_name"], r["form_name"]) for r in csv.DictReader(open(d + "/repeating_instruments.csv"))}
fields = {r["Variable / Field Name"] for r in csv.DictReader(open(d + "/dictionary.csv"))}
assert list(rows[0])[0] == "record_id" and "record_id" in fields
seen = set()
for r in rows:
    assert r["redcap_event_name"] in events, r
    if r["redcap_repeat_instrument"]:
        assert (r["redcap_event_name"], r["redcap_repeat_instrument"]) in rep, r
        key = (r["record_id"], r["redcap_event_name"], r["redcap_repeat_instrument"], r["redcap_repeat_instance"])
        assert key not in seen, key
        seen.add(key)
    else:
        assert r["redcap_event_name"] == "enrolment_arm_1"
assert {"m3_arm_1", "m12_arm_1", "baseline_arm_1"} <= {r["redcap_event_name"] for r in rows}
ident = {r["Variable / Field Name"] for r in csv.DictReader(open(d + "/dictionary.csv")) if r["Identifier?"] == "y"}
assert {"identity_name", "identity_email", "identity_phone", "identity_date_of_birth"} <= ident
EOF

# ---- FHIR structure ----
check "fhir: bundle structure, required elements, references resolve" python3 - bundle.json <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
assert b["resourceType"] == "Bundle" and b["type"] == "collection"
full = {}
for e in b["entry"]:
    r = e["resource"]
    assert e["fullUrl"] == "urn:uuid:" + r["id"]
    full[e["fullUrl"]] = r["resourceType"]
types = {}
def refs(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "reference":
                yield v
            else:
                yield from refs(v)
    elif isinstance(x, list):
        for v in x:
            yield from refs(v)
required = {"Patient": [], "Condition": ["subject", "code"], "Procedure": ["status", "subject"],
            "QuestionnaireResponse": ["status", "questionnaire", "subject"],
            "Observation": ["status", "code"], "AdverseEvent": ["actuality", "subject"]}
for e in b["entry"]:
    r = e["resource"]
    t = r["resourceType"]
    types[t] = types.get(t, 0) + 1
    assert t in required, t
    for k in required[t]:
        assert k in r, (t, k)
    for ref in refs(r):
        assert ref in full, (t, ref)
    if t in ("Condition", "Procedure", "QuestionnaireResponse", "AdverseEvent"):
        assert full[r["subject"]["reference"]] == "Patient"
    if t == "Condition":
        codes = [c["code"] for c in r["bodySite"][0]["coding"]]
        assert "left" in codes or "right" in codes
        lat = r["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
        assert lat in ("7771000", "24028007")
    if t == "Procedure":
        assert r["status"] == "completed" and r["bodySite"]
    if t == "Observation" and "hasMember" in r:
        assert r["code"]["coding"][0] == {"system": "http://loinc.org", "code": "72091-2",
            "display": "Knee injury and Osteoarthritis Outcome Score [KOOS]"}
        for m in r["hasMember"]:
            assert full[m["reference"]] == "Observation"
for t in required:
    assert types.get(t), ("missing", t)
EOF

# ---- bad input: clear errors, nothing stored ----
before=$("$GENU" --db "$A" export | sha256sum)
unchanged() { [ "$("$GENU" --db "$A" export | sha256sum)" = "$before" ]; }
bad() { # NAME PATTERN IMPORT-ARGS...
  local name=$1 pat=$2; shift 2
  expect_status 1 "rejects $name" "$GENU" --db "$A" import "$@"
  if grep -q -- "$pat" err; then pass "$name: error names the place"; else fail "$name: error names the place"; sed 's/^/    /' err | head -3; fi
  check "$name: nothing stored" unchanged
}
mkdir -p b1 && cp csv/patients.csv csv/diagnoses.csv b1/
python3 - b1/diagnoses.csv <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
rows.append(["d-new", "P000001", "sideways", "2020-01-01", "gout", "", "", ""])
rows.append(["d-new2", "P000001", "left", "2020-01-01", "gout", "five", "", ""])
csv.writer(open(sys.argv[1], "w", newline="")).writerows(rows)
EOF
n=$(wc -l < b1/diagnoses.csv)
bad "a CSV cell that is not an integer" "b1/diagnoses.csv:$n:6: field \"kl_grade\": expected an integer" --format csv b1/patients.csv b1/diagnoses.csv
check "the bad knee is named by line and column" grep -q "b1/diagnoses.csv:$((n - 1)):3: field \"knee\"" err
mkdir -p b2 && sed '1s/kl_grade/kl_grad/' csv/diagnoses.csv > b2/diagnoses.csv
bad "a CSV with an unknown column" 'b2/diagnoses.csv:1:6: unknown column "kl_grad"' --format csv b2/diagnoses.csv
mkdir -p b3 && printf 'id,site,sex,birth_year\n"Q1,s,male,1950\n' > b3/patients.csv
bad "malformed CSV quoting" 'b3/patients.csv:2: malformed CSV' --format csv b3/patients.csv

cp rc/dictionary.csv d_unknown.csv && echo 'favourite_colour,patient,,text,Colour,,,,,,,,,,,,,' >> d_unknown.csv
bad "a REDCap dictionary with an unknown field" 'd_unknown.csv:[0-9]*:1: unknown field "favourite_colour"' --format redcap d_unknown.csv rc/records.csv
sed 's/^diagnosis_condition,\(.*\)osteoarthritis, osteoarthritis/diagnosis_condition,\1arthritis, arthritis/' rc/dictionary.csv > d_choice.csv
bad "a REDCap dictionary with an unknown choice" 'd_choice.csv:[0-9]*:6: field "diagnosis_condition": unknown choice "arthritis"' --format redcap d_choice.csv rc/records.csv
python3 - rc/records.csv > r_choice.csv <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
k = rows[0].index("nprs_intensity")
for r in rows[1:]:
    if r[k]:
        r[k] = "12"
        break
csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
EOF
bad "a REDCap record with a choice outside the dictionary" 'r_choice.csv:[0-9]*:[0-9]*: field "nprs_intensity": unknown choice "12"' --format redcap rc/dictionary.csv r_choice.csv
sed '1s/,patient_site,/,patient_shoe,/' rc/records.csv > r_field.csv
bad "a REDCap records file with an unknown field" 'r_field.csv:1:5: unknown field "patient_shoe"' --format redcap rc/dictionary.csv r_field.csv

python3 - bundle.json > broken.json <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
for e in b["entry"]:
    if e["resource"]["resourceType"] == "Condition":
        e["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-5000-8000-000000000000"
        break
json.dump(b, sys.stdout)
EOF
bad "a FHIR bundle with a broken subject reference" 'broken.json: entry\[[0-9]*\] (Condition): subject: reference "urn:uuid:00000000-0000-5000-8000-000000000000" does not resolve to a Patient' --format fhir broken.json
python3 - bundle.json > broken2.json <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
b["entry"] = [e for e in b["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"]
json.dump(b, sys.stdout)
EOF
bad "a FHIR bundle whose score Observations lost their response" 'derivedFrom\[0\]: reference .* does not resolve to a QuestionnaireResponse' --format fhir broken2.json
echo '{"resourceType":"Patient"}' > notbundle.json
bad "a FHIR resource that is not a Bundle" 'expected a FHIR Bundle' --format fhir notbundle.json
expect_status 2 "redcap import needs two files" "$GENU" --db "$A" import --format redcap rc/records.csv
expect_status 2 "csv export needs --output" "$GENU" --db "$A" export --format csv
expect_status 2 "--dates needs --deidentify" "$GENU" --db "$A" export --dates year

# ---- de-identified output of every format ----
mkdir -p deid
"$GENU" --db "$A" export --deidentify > deid/out.jsonl
"$GENU" --db "$A" export --deidentify --dates year > deid/year.jsonl
"$GENU" --db "$A" export --deidentify --format fhir > deid/bundle.json
"$GENU" --db "$A" export --deidentify --format csv --output deid/csv >/dev/null 2>&1
"$GENU" --db "$A" export --deidentify --format redcap --output deid/rc >/dev/null 2>&1
"$GENU" --db "$A" export --deidentify --dates year --format redcap --output deid/rcy >/dev/null 2>&1
check "de-identified exports were written" test -s deid/out.jsonl -a -s deid/bundle.json -a -s deid/csv/patients.csv -a -s deid/rc/records.csv
check "no identities file in de-identified CSV" test ! -e deid/csv/identities.csv
check "no identifier, id, date or note appears in any de-identified output" python3 - a.jsonl deid <<'EOF'
import json, os, re, sys
secrets = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    t = r["type"]
    if t == "identity":
        secrets.update(str(v) for k, v in r.items() if k not in ("type", "patient"))
    if t == "patient":
        secrets.add(r["id"])
    elif "id" in r and t != "identity":
        secrets.add(r["id"])
    for k in ("note", "clinician"):
        if k in r:
            secrets.add(r[k])
    if "extra" in r:
        secrets.update(str(v) for v in r["extra"].values())
    if "date" in r:
        secrets.add(r["date"])
    if "product" in r and "donor" in r["product"]:
        secrets.add(r["product"]["donor"])
secrets = {s for s in secrets if len(s) >= 3}
words = ["Quixworth", "Plumtree", "Vantablack", "Ozymandias", "leakcheck", "MRN-SECRET",
         "078-05-1120", "Case History One", "ch1@example.org"]
text = ""
for d, _, fs in os.walk(sys.argv[2]):
    for f in fs:
        text += open(os.path.join(d, f)).read()
bad = [s for s in secrets | set(words) if s in text]
# no calendar date of any form
bad += re.findall(r"\b(?:19|20)\d\d-\d\d-\d\d\b", text)[:3]
if bad:
    print("leaked:", sorted(bad)[:10])
sys.exit(1 if bad else 0)
EOF
check "de-identified jsonl keeps every clinical record" test "$(wc -l < deid/out.jsonl)" -eq "$(grep -vc '"type":"identity"' a.jsonl)"
check "pseudonyms are stable across exports" cmp -s deid/out.jsonl <("$GENU" --db "$A" export --deidentify)
check "dates become days from the knee's index date" grep -q '"day":0,"knee":"left","kind":"prp"' deid/out.jsonl
check "--dates year gives years only" sh -c 'grep -q "\"year\":20" deid/year.jsonl && ! grep -q "\"day\":" deid/year.jsonl'
check "adverse events keep their link to the treatment pseudonym" python3 - deid/out.jsonl <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
tids = {r["id"] for r in recs if r["type"] == "treatment"}
pids = {r["id"] for r in recs if r["type"] == "patient"}
ae = [r for r in recs if r["type"] == "adverse_event" and "treatment" in r]
assert all(r["treatment"] in tids for r in ae)
assert all(r["patient"] in pids for r in recs if r["type"] != "patient")
assert not any("note" in r or "extra" in r or "clinician" in r for r in recs)
EOF
finish
