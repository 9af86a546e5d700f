#!/usr/bin/env bash
# Golden text of what a clinician reads: `genu case` and `genu advise` for
# the published case histories CH1-CH3 (examples/case_histories.jsonl) and
# four synthetic profiles (tests/golden/words/profiles.jsonl): a series that
# helped (RESP), one whose response waned while other knees repeated or
# escalated (WANE, WA1-WA3), one that never helped (NEVER) and a knee with
# surgery years before (SURG). Each output is diffed against a reviewed
# tests/golden/words/*.txt; GENU_GOLDEN_UPDATE=1 rewrites them (review the
# diff before committing). Then the rules of docs/design.md, "Words for
# people", over every message and history: no day count above 60, no signed
# change without its direction, no underscore code.
. "$GENU_SRC/tests/e2e/lib.sh"
G=$GENU_SRC/tests/golden/words
DB=$T/golden.db
AS_OF=2026-06-30
"$GENU" --db "$DB" init >/dev/null
"$GENU" --db "$DB" import "$GENU_SRC/examples/case_histories.jsonl" "$G/profiles.jsonl" >/dev/null ||
  fail "import the case histories and profiles"
for p in CH1 CH2 CH3 RESP WANE NEVER SURG; do
  for cmd in case advise; do
    out=$T/$cmd-$p.txt
    "$GENU" --db "$DB" "$cmd" "$p" --as-of $AS_OF >"$out" 2>&1 || fail "$cmd $p exits 0"
    if [ "${GENU_GOLDEN_UPDATE:-}" = 1 ]; then
      cp "$out" "$G/$cmd-$p.txt"
    fi
    if diff -u "$G/$cmd-$p.txt" "$out" >"$T/diff"; then
      pass "$cmd $p matches tests/golden/words/$cmd-$p.txt"
    else
      fail "$cmd $p differs from tests/golden/words/$cmd-$p.txt:"
      cat "$T/diff"
    fi
  done
done
# what people read: the whole text of advice (each finding's title, its
# message, its "because:" facts in words and its source) and of the case
# histories; rule ids and fact names are for the JSON only
cat "$T"/case-*.txt "$T"/advise-*.txt >"$T/people.txt"
check "no day count above 60" bash -c "! grep -nE '\\b(6[1-9]|[7-9][0-9]|[0-9]{3,}) days\\b' '$T/people.txt'"
check "no signed change without its direction" bash -c "! grep -nE 'change -?[0-9]|[(, ][-+][0-9]+( points)?[,.)]' '$T/people.txt'"
check "no underscore code" bash -c "! grep -nE '[a-z]_[a-z]' '$T/people.txt'"
check "CH3 tells relief, return of pain, escalation, relief again" \
  grep -q "Pain came back after dextrose prolotherapy (pain improved from 4/10 to 2/10 by 2008-03-05 and was back to 4/10 on 2009-11-30, 12 months after its last treatment); the next series, bone marrow aspirate from 2009-11-30, helped again" "$T/advise-CH3.txt"
check "no 'Beyond stage 3 lies surgery'" bash -c "! grep -q 'Beyond stage' '$T/people.txt'"
check "conservative_skipped is not news after years of treatment or a surgery" \
  bash -c "! grep -q 'Conservative treatment skipped' '$T/advise-CH1.txt' '$T/advise-CH2.txt' '$T/advise-CH3.txt' '$T/advise-SURG.txt'"
check "the rule's title, not its id" bash -c "grep -q '^INFO     The last series helped again$' '$T/advise-CH3.txt' && ! grep -q series_helped_again '$T/advise-CH3.txt'"
finish
