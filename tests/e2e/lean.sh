#!/usr/bin/env bash
# End-to-end: the command line's analyses read a lean dataset (docs/scaling.md:
# the responses of the measures asked for, every record's day for last
# contact, no ids or staff names) and answer exactly what the whole dataset
# answers (GENU_LOAD=full), byte for byte, on a synthetic registry with
# deaths, exams and adverse events, for every analysis and its options. A
# knee whose last contact is a day only an unread record has is checked by
# hand. On both backends.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
D=2024-06-30
G init >/dev/null
G synth --patients 400 --seed 7 --as-of $D --import >/dev/null 2>synth.err || { fail "synth"; cat synth.err; }
# E1's left knee: PRP on 2020-01-01; afterwards only an exam (2021-06-01), a
# patient-level global rating (2022-01-01), an adverse event (2023-03-01)
# and, after as-of, an NPRS answer. Its last contact as of $D is the adverse
# event: censored at 2023-03-01, 1155 days after the index.
cat >edge.jsonl <<'J'
{"type":"patient","id":"E1","site":"edge","sex":"female","birth_year":1960}
{"type":"diagnosis","id":"E1-dx","patient":"E1","knee":"left","date":"2019-12-01","condition":"osteoarthritis","kl_grade":2}
{"type":"response","id":"E1-b","patient":"E1","knee":"left","date":"2019-12-20","instrument":"nprs","items":{"intensity":8}}
{"type":"treatment","id":"E1-t","patient":"E1","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"exam","id":"E1-x","patient":"E1","knee":"left","date":"2021-06-01","findings":{"swelling":"none"}}
{"type":"response","id":"E1-g","patient":"E1","date":"2022-01-01","instrument":"patient_global","items":{"score":40}}
{"type":"adverse_event","id":"E1-ae","patient":"E1","knee":"left","date":"2023-03-01","kind":"post_injection_flare","severity":1,"serious":false}
{"type":"response","id":"E1-late","patient":"E1","knee":"left","date":"2024-08-01","instrument":"nprs","items":{"intensity":2}}
J
G import edge.jsonl >/dev/null || fail "import the edge knee"

censored_at() { # FILE DAYS: the one knee's curve ends censored at DAYS
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["strata"][0]["curve"]; sys.exit(0 if c[-1]["time"]==int(sys.argv[2]) and c[-1]["n_censor"]==1 else 1)' "$1" "$2"
}
G survival --event replacement --site edge --as-of $D --format json >edge.json
check "the edge knee is censored at its adverse event, 1155 days" censored_at edge.json 1155
G survival --event replacement --site edge --as-of 2022-12-31 --format json >edge2.json
check "  and as of 2022-12-31 at its patient-level global rating, 731 days" censored_at edge2.json 731

# E2's left knee: a lean load keeps of its treatments only those a cohort
# reads (docs/scaling.md): the index day's (PRP with hyaluronic acid on
# 2020-02-01), the surgery (2021-01-01, 335 days later) and the replacement
# (2022-02-01, 731 days), and with --cost the later PRP; not the physical
# therapy before and after, nor the drug for the right knee, which never
# entered. Entered on physical
# therapy instead, the index is 2019-12-01 and the replacement 793 days on.
cat >edge2.jsonl <<'J'
{"type":"patient","id":"E2","site":"edge2","sex":"male","birth_year":1955}
{"type":"diagnosis","id":"E2-dx","patient":"E2","knee":"left","date":"2019-11-01","condition":"osteoarthritis","kl_grade":3}
{"type":"treatment","id":"E2-pt1","patient":"E2","knee":"left","date":"2019-12-01","kind":"physical_therapy","sites":[]}
{"type":"treatment","id":"E2-prp","patient":"E2","knee":"left","date":"2020-02-01","kind":"prp","protocol":"prp-ia","sites":["intra_articular"],"cost":{"amount":500,"currency":"USD"}}
{"type":"treatment","id":"E2-ha","patient":"E2","knee":"left","date":"2020-02-01","kind":"hyaluronic_acid_injection","sites":["intra_articular"]}
{"type":"treatment","id":"E2-prp2","patient":"E2","knee":"left","date":"2020-05-01","kind":"prp","protocol":"prp-ia","sites":["intra_articular"],"cost":{"amount":450,"currency":"USD"}}
{"type":"treatment","id":"E2-pt2","patient":"E2","knee":"left","date":"2020-06-01","kind":"physical_therapy","sites":[]}
{"type":"treatment","id":"E2-drug","patient":"E2","knee":"right","date":"2020-07-01","kind":"otc_nsaid","sites":[]}
{"type":"treatment","id":"E2-scope","patient":"E2","knee":"left","date":"2021-01-01","kind":"arthroscopy","sites":[]}
{"type":"treatment","id":"E2-tkr","patient":"E2","knee":"left","date":"2022-02-01","kind":"total_knee_replacement","sites":[]}
{"type":"response","id":"E2-b","patient":"E2","knee":"left","date":"2020-01-20","instrument":"nprs","items":{"intensity":7}}
{"type":"response","id":"E2-6","patient":"E2","knee":"left","date":"2020-08-01","instrument":"nprs","items":{"intensity":3}}
J
G import edge2.jsonl >/dev/null || fail "import the second edge knee"
event_at() { # FILE DAYS: the one knee's curve has its event at DAYS
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["strata"][0]["curve"]; sys.exit(0 if [p["time"] for p in c if p["n_event"]]==[int(sys.argv[2])] else 1)' "$1" "$2"
}
G survival --event replacement --site edge2 --as-of $D --format json >e2r.json
check "the second edge knee is replaced 731 days after its PRP" event_at e2r.json 731
G survival --event surgery --site edge2 --as-of $D --format json >e2s.json
check "  and has surgery 335 days after it" event_at e2s.json 335
G survival --event replacement --site edge2 --index-kinds physical_therapy --as-of $D --format json >e2p.json
check "  entered on physical therapy, replaced 793 days after it" event_at e2p.json 793
G survival --event replacement --site edge2 --by kind --as-of $D --format json >e2k.json
check "  its index day's kinds are PRP and hyaluronic acid" grep -q '"hyaluronic_acid_injection+prp"' e2k.json
G claim --responder 'change:nprs.intensity>=2' --at 6m --expect 0.5 --site edge2 --cost --as-of $D --format json >e2c.json
check "  and its bill at 6 months both PRPs, 950 USD" grep -q '950' e2c.json

# same NAME ARGS...: the lean and the whole dataset give the same bytes
same() {
  local name=$1; shift
  G "$@" >lean.out 2>lean.err || { fail "$name: genu $*"; cat lean.err; return; }
  GENU_LOAD=full G "$@" >full.out 2>full.err || { fail "$name: GENU_LOAD=full genu $*"; cat full.err; return; }
  check "$name: the lean load answers as the whole one" cmp -s lean.out full.out
}
R='improvement_pct:nprs.intensity>=50'
same "claim" claim --responder "$R" --at 12m --expect 0.6 --as-of $D --format json
same "claim, text" claim --responder "$R" --at 6m --expect 0.6 --as-of $D
same "claim with filters, unit and cost" claim --responder 'mcid:nprs.intensity' --at 6m --expect 0.5 --kl 0-2 --sites whole_knee --unit patient --cost --as-of $D --format json
same "claim: OMERACT-OARSI" claim --responder omeract_oarsi --at 12m --expect 0.5 --as-of $D --format json
same "claim: KOOS pain change" claim --responder 'change:koos.pain>=10' --at 24m --expect 0.5 --as-of $D --format json
same "claim: index kinds" claim --responder 'change:nprs.intensity>=2' --at 3m --expect 0.5 --index-kinds prp,bone_marrow_concentrate --as-of $D --format json
same "claim, an earlier as-of" claim --responder "$R" --at 6m --expect 0.5 --as-of 2021-01-01 --format json
same "survival by kl" survival --event replacement --by kl --as-of $D --format json
same "survival: surgery by sites" survival --event surgery --by sites --as-of $D --format json
same "survival: loss of response" survival --event loss_of_response --responder 'improvement_pct:nprs.intensity>=30' --as-of $D --format json
same "survival: death competing" survival --event replacement --competing death --by kl --as-of $D --format json
same "survival: a Cox model" survival --event replacement --cox whole_knee,kl,age --as-of $D --format json
same "compare, adjusted" compare --responder "$R" --at 12m --exposure whole_knee --adjust age,female,kl,baseline --as-of $D --format json
same "report" report --as-of $D --format json
same "claim: kind and protocol filters" claim --responder "$R" --at 12m --expect 0.5 --kind prp --protocol prp-ia --as-of $D --format json
same "claim: cost, other index kinds" claim --responder "$R" --at 12m --expect 0.5 --cost --index-kinds prp,hyaluronic_acid_injection,physical_therapy --as-of $D --format json
same "report by protocol, other index kinds" report --by protocol --index-kinds prp,physical_therapy --as-of $D --format json
same "survival: surgery by kind, index kinds" survival --event surgery --by kind --index-kinds dextrose_prolotherapy,physical_therapy --as-of $D --format json
same "compare: sites filter" compare --responder "$R" --at 12m --exposure whole_knee --adjust age,kl --sites whole_knee --as-of $D --format json
same "report by kl, own definitions" report --by kl --responder omeract_oarsi --responder 'mcid:koos.pain' --at 6m --at 12m --as-of $D --format json
finish
