#!/usr/bin/env bash
# End-to-end: genu demo, genu case on the published case histories, genu synth
# determinism and import, and the analyses running on synthetic data.
. "$(dirname "$0")/lib.sh"
DB=$(new_registry demo)
AS_OF=2024-06-30

expect_status 0 "demo builds a registry" "$GENU" --db "$DB" demo --patients 150 --seed 3 --as-of $AS_OF

# The case histories as exported equal examples/case_histories.jsonl.
"$GENU" --db "$DB" export | grep -E '"(id|patient)":"CH[123]"' >"$T/cases.jsonl"
check "exported case histories equal examples/case_histories.jsonl" \
  cmp -s "$T/cases.jsonl" "$GENU_SRC/examples/case_histories.jsonl"

"$GENU" --db "$DB" case CH1 >"$T/ch1.txt"
has() { grep -qF -- "$2" "$1"; }
check "CH1: 69-year-old male" has "$T/ch1.txt" "69-year-old male"
check "CH1: both knees" has "$T/ch1.txt" "with pain in both knees"
check "CH1: 4/10 left with 30%" grep -qE "^  2009-03-02  4/10 30% +7/10 90%" "$T/ch1.txt"
check "CH1: five treatments at two-month intervals" \
  grep -qE "Five bone marrow aspirate treatments.*at intervals of about two months" "$T/ch1.txt"
check "CH1: prior prolotherapy two years before" \
  grep -qE "dextrose prolotherapy \(both knees, [0-9-]+, two years before the first visit\)" "$T/ch1.txt"
check "CH1: sleep interrupted then not" has "$T/ch1.txt" "not interrupted"
check "CH1: pain-free at the end" has "$T/ch1.txt" "pain improved from 4/10 to 0/10 from the first record to 2010-01-04"

"$GENU" --db "$DB" case CH2 >"$T/ch2.txt"
check "CH2: 56-year-old male" has "$T/ch2.txt" "56-year-old male"
check "CH2: 29 prolotherapy treatments over five years" \
  grep -qE "29 dextrose prolotherapy treatments.*over five years" "$T/ch2.txt"
check "CH2: PRP four months later" grep -qE "PRP treatment.*four months after the previous series" "$T/ch2.txt"
check "CH2: three marrow treatments at 2-3 month intervals" \
  grep -qE "Three bone marrow aspirate treatments.*two to three months" "$T/ch2.txt"
check "CH2: 4/10 100% then 2/10 30%" grep -qE "4/10 100%.*2/10 30%|2/10 30%" "$T/ch2.txt"

"$GENU" --db "$DB" case CH3 >"$T/ch3.txt"
check "CH3: 69-year-old female" has "$T/ch3.txt" "69-year-old female"
check "CH3: arthroscopy eight and meniscus surgery fifteen years earlier" \
  grep -qE "meniscectomy.*fifteen years before.*arthroscopy.*eight years before" "$T/ch3.txt"
check "CH3: six prolotherapy treatments over ten months" \
  grep -qE "Six dextrose prolotherapy treatments.*over ten months" "$T/ch3.txt"
check "CH3: two marrow treatments five months apart" \
  grep -qE "Two bone marrow aspirate treatments.*about five months" "$T/ch3.txt"
check "CH3: 4/10 left 5/10 right" grep -qE "^  2008-02-04  4/10 +5/10" "$T/ch3.txt"
check "CH3: 90% improvement" has "$T/ch3.txt" "impr 90%"

"$GENU" --db "$DB" case CH1 --format json >"$T/ch1.json"
check "case json shape" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["patient"]["id"] == "CH1" and d["patient"]["age_at_first_visit"] == 69
assert d["patient"]["sex"] == "male" and d["knees"] == ["left", "right"]
s = d["series"][0]
assert s["kind"] == "bone_marrow_aspirate" and len(s["sessions"]) == 5
assert s["intervals_days"] == [61, 61, 61, 61] and s["sites_class"] == "whole_knee"
t = d["timeline"][0]
assert t["nprs"] == {"left": 4, "right": 7} and t["pain_frequency"] == {"left": 30, "right": 90}
assert t["sleep_interrupted"] is True and "narrative" in d
' "$T/ch1.json"
"$GENU" --db "$DB" case CH3 --format html >"$T/ch3.html"
check "case html has an inline svg" grep -q "<svg xmlns" "$T/ch3.html"
check "case html is self-contained" bash -c '! grep -qE "(src|href)=\"http" "$1"' _ "$T/ch3.html"

expect_status 1 "unknown patient" "$GENU" --db "$DB" case NOPE
check "unknown patient message" grep -qF 'genu: error: no patient "NOPE"' "$T/err"

# genu synth: same seed, same bytes; other seed, other bytes; imports.
"$GENU" synth --patients 120 --seed 11 --as-of $AS_OF >"$T/a.jsonl"
"$GENU" synth --patients 120 --seed 11 --as-of $AS_OF --output "$T/b.jsonl"
"$GENU" synth --patients 120 --seed 12 --as-of $AS_OF >"$T/c.jsonl"
check "synth: same seed, identical bytes" cmp -s "$T/a.jsonl" "$T/b.jsonl"
check "synth: other seed, other bytes" bash -c '! cmp -s "$1" "$2"' _ "$T/a.jsonl" "$T/c.jsonl"
check "synth: nothing after the as-of date" \
  bash -c '! grep -oE "\"date\":\"[0-9-]+\"" "$1" | sort -u | awk -F\" -v a='$AS_OF' "\$4 > a {bad=1} END {exit !bad}"' _ "$T/a.jsonl"
S=$(new_registry s) S2=$(new_registry s2)
expect_status 0 "synth output imports" "$GENU" --db "$S" import "$T/a.jsonl"
expect_status 0 "synth --import" "$GENU" --db "$S2" synth --patients 120 --seed 11 --as-of $AS_OF --import
"$GENU" --db "$S" export >"$T/e1.jsonl"; "$GENU" --db "$S2" export >"$T/e2.jsonl"
check "synth --import equals importing the file" cmp -s "$T/e1.jsonl" "$T/e2.jsonl"
expect_status 2 "synth: bad --patients" "$GENU" synth --patients -3
check "synth: bad --patients message" grep -q "genu: error: --patients: " "$T/err"
expect_status 2 "synth: bad --seed" "$GENU" synth --seed x
expect_status 2 "synth: bad --as-of" "$GENU" synth --as-of 2024-02-30
expect_status 2 "synth: --start after --as-of" "$GENU" synth --start 2030 --as-of 2024-01-01

# The analyses run on the demo registry.
expect_status 0 "claim runs on the demo" "$GENU" --db "$DB" claim \
  --responder 'improvement_pct:nprs.intensity>=50' --at 12m --expect 0.75 --as-of $AS_OF --format json
check "claim analysed knees" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["counts"]["analysed"] > 20' "$T/out"
expect_status 0 "survival runs on the demo" "$GENU" --db "$DB" survival --event replacement --by kl --as-of $AS_OF --format json
check "survival has strata" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["strata"]) >= 2' "$T/out"
finish
