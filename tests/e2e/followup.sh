#!/usr/bin/env bash
# Follow-up capture end to end (docs/followup.md): genu followup send
# invites the due knees through a real SMTP server (Debian's aiosmtpd) and
# a text-message command, the link in the e-mail is followed and answered
# over HTTP, later runs remind only the unanswered and never twice a day, an
# SMTP outage is reported and delivered on a later run, the unsubscribe link
# works with one POST, and kill -9 in the middle of runs neither loses an
# invitation nor sends a reminder twice.
. "$GENU_SRC/tests/e2e/lib.sh"
G() { "$GENU" --db "$DB" "$@"; }
day() { date -u -d "$1 day" +%F; } # today + N days (N may be negative)
PY=/usr/bin/python3                # Debian's, with python3-aiosmtpd

# ---- the mail server: Maildir MAIL, on SMTP_PORT; smtp_start / smtp_stop
SMTP_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
mkdir -p mail/tmp mail/new mail/cur
smtp_start() {
  "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$T/mail" \
    >"$T/smtp.log" 2>&1 &
  SMTP_PID=$!
  for _ in $(seq 100); do
    "$PY" -c 'import socket,sys;socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
      "$SMTP_PORT" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "the SMTP server starts"
}
smtp_stop() { kill "$SMTP_PID" 2>/dev/null; wait "$SMTP_PID" 2>/dev/null; }
at_exit 'kill $SMTP_PID 2>/dev/null'
mails() { ls "$T/mail/new" | wc -l; }
# the message files sent to ADDRESS, oldest first
mail_to() { grep -l -a "^To: $1" "$T"/mail/new/* 2>/dev/null | xargs -r ls -tr; }

# ---- the text-message gateway: a script that records its arguments
cat >sms.sh <<'SH'
#!/bin/sh
printf '%s|%s\n' "$1" "$2" >>"$(dirname "$0")/sms.log"
SH
chmod +x sms.sh
: >sms.log

# ---- the registry: knees treated 45 days ago (their 6w window is open)
T45=$(day -45)
cat >reg.jsonl <<JL
{"type":"patient","id":"P1","site":"oak","sex":"male","birth_year":1950}
{"type":"identity","patient":"P1","name":"Ann One","email":"p1@example.org","phone":"+1 555 0001"}
{"type":"diagnosis","patient":"P1","knee":"left","date":"$T45","condition":"osteoarthritis","kl_grade":3}
{"type":"treatment","patient":"P1","knee":"left","date":"$T45","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","patient":"P1","knee":"right","date":"$T45","kind":"prp","sites":["intra_articular"]}
{"type":"patient","id":"P2","site":"oak","sex":"female","birth_year":1960}
{"type":"identity","patient":"P2","email":"p2@example.org","contact":"none"}
{"type":"treatment","patient":"P2","knee":"left","date":"$T45","kind":"bone_marrow_aspirate","sites":["intra_articular","mcl"]}
{"type":"patient","id":"P3","site":"elm","sex":"female","birth_year":1955}
{"type":"identity","patient":"P3","phone":"+1 555 0003","contact":"sms"}
{"type":"treatment","patient":"P3","knee":"left","date":"$T45","kind":"prp","sites":["intra_articular"]}
{"type":"patient","id":"P4","site":"elm","sex":"male","birth_year":1948}
{"type":"treatment","patient":"P4","knee":"right","date":"$T45","kind":"prp","sites":["intra_articular"]}
{"type":"patient","id":"P5","site":"oak","sex":"male","birth_year":1952}
{"type":"identity","patient":"P5","email":"p5@example.org","phone":"+1 555 0005"}
{"type":"treatment","patient":"P5","knee":"left","date":"$T45","kind":"adipose_msc","sites":["intra_articular"]}
{"type":"patient","id":"P6","site":"oak","sex":"female","birth_year":1950}
{"type":"identity","patient":"P6","email":"p6@example.org"}
{"type":"treatment","patient":"P6","knee":"left","date":"$T45","kind":"prp","sites":["intra_articular"]}
{"type":"response","patient":"P6","knee":"left","date":"$(day -3)","instrument":"nprs","items":{"intensity":2}}
{"type":"patient","id":"P7","site":"elm","sex":"male","birth_year":1951}
{"type":"identity","patient":"P7","email":"not an address@example"}
{"type":"treatment","patient":"P7","knee":"left","date":"$T45","kind":"prp","sites":["intra_articular"]}
JL
DB=$(new_registry fu)
G init >/dev/null
expect_status 0 "import the registry" G import reg.jsonl

# ---- configuration errors change nothing
G export >before.jsonl
expect_status 1 "send without a base URL is refused" G followup send
check "  saying what to set" grep -q 'followup.base_url' err
expect_status 2 "a bad schedule is refused" G settings set followup.schedule '6w: nprs, nosuch'
check "  naming the instrument" grep -q 'unknown instrument "nosuch"' err
expect_status 2 "bad reminder days are refused" G settings set followup.reminder_days '7,3'
expect_status 2 "an smtp.url that is not smtp is refused" G settings set smtp.url http://x
expect_status 2 "an smtp.url with a password in it is refused (it would reach the audit trail)" \
  G settings set smtp.url smtp://user:secret@mail.example.org
check "nothing stored by refused runs" cmp -s before.jsonl <(G export)

G settings set followup.base_url "http://127.0.0.1:1/" >/dev/null # fixed below, once served
G settings set clinic.name "Oak Park Knee Clinic" >/dev/null
G settings set smtp.url "smtp://127.0.0.1:$SMTP_PORT" >/dev/null
G settings set smtp.from "Oak Park Knee Clinic <followup@oak.example>" >/dev/null
G settings set followup.sms_command "$T/sms.sh" >/dev/null

# ---- a dry run says what would happen and changes nothing
expect_status 0 "followup send --dry-run" G followup send --dry-run --format json
cp out dry.json
check "  due: P1 (2 knees), P2, P3, P4, P5, P7 (P6 answered); P2 opted out, P4 and P7 no (usable) address" \
  python3 -c 'import json,sys;d=json.load(open("dry.json"));sys.exit(0 if (d["due"],d["invited"],d["skipped"])==(7,4,{"no_address":2,"opted_out":1,"deceased":0}) else 1)'
check "  koos is scheduled but has no installed wording: not asked" grep -q '"not_asked":\["koos"\]' dry.json
check "  nothing stored" cmp -s before.jsonl <(G export)
check "  nothing sent" test "$(mails)" = 0 -a ! -s sms.log

# ---- serve, so that links can be followed
start_server "$DB" --threads 2 --followup-interval 0
G settings set followup.base_url "$B" >/dev/null
smtp_start

# ---- day 0: invitations
expect_status 0 "send: invitations" G followup send --format json
cp out d0.json
check "  4 windows invited, P4 and P7 skipped (no usable address)" \
  python3 -c 'import json,sys;d=json.load(open("d0.json"));sys.exit(0 if (d["invited"],d["skipped"]["no_address"],d["failed"],d["abandoned"])==(4,2,0,0) else 1)'
check "  one e-mail per patient: P1 (both knees) and P5" test "$(mails)" = 2
check "  one text message to P3" test "$(grep -c '^+15550003|' sms.log)" = 1
check "  P3's text carries a survey link" grep -q "^+15550003|.*$B/s/" sms.log
P1MAIL=$(mail_to p1@example.org)
check "  P1's e-mail holds two links, one per knee" test "$(grep -a -o "$B/s/[A-Za-z0-9_-]*" "$P1MAIL" | sort -u | wc -l)" = 2
check "  names the clinic" grep -q -a '^Subject: Oak Park Knee Clinic' "$P1MAIL"
check "  has List-Unsubscribe and one-click" grep -q -a '^List-Unsubscribe-Post: List-Unsubscribe=One-Click' "$P1MAIL"
check "  says nothing clinical (no condition, treatment, score)" \
  sh -c "! grep -a -i -E 'osteoarthritis|prp|platelet|kellgren|score|nprs' '$P1MAIL'"
check "  each invitation is a message record, sent" test "$(G export | grep -c '"type":"message".*"kind":"invitation".*"status":"sent"')" = 3
check "  audited" test "$(G audit list --limit 100000 | grep -c 'message')" -ge 6

# ---- the patient follows the left-knee link and answers
LEFT=$(grep -a -o "$B/s/[A-Za-z0-9_-]*" "$P1MAIL" | head -1)
curl -s "$LEFT" >page.html
check "the survey page shows the validated wording" grep -q 'Please choose the one number that best describes your knee pain' page.html
check "  and the published labels" grep -q '10 – Worst pain imaginable' page.html
check "  never koos, whose wording is not installed" sh -c "! grep -q 'koos' page.html"
st=$(curl -s -o body -w '%{http_code}' --data-binary 'nprs.intensity=&patient_global.score=' "$LEFT")
check "a form with no answer is refused (400)" test "$st" = 400
check "  saying so" grep -q 'answer at least one question' body
st=$(curl -s -o body -w '%{http_code}' --data-binary 'nprs.intensity=3&patient_global.score=30' "$LEFT")
check "the answers are accepted" test "$st" = 200
check "  stored as code values" grep -q '"instrument":"nprs","items":{"intensity":3}' <(G export)

# ---- the same day again: nothing new
expect_status 0 "send again the same day" G followup send
check "  no second message to anyone" test "$(mails)" = 2 -a "$(wc -l <sms.log)" = 1

# ---- day 3: reminders to the unanswered only
expect_status 0 "send on day 3" G followup send --as-of "$(day 3)" --format json
cp out d3.json
check "  reminds P1's right knee, P3 and P5" \
  python3 -c 'import json,sys;d=json.load(open("d3.json"));sys.exit(0 if (d["reminded"],d["invited"])==(3,0) else 1)'
R1=$(mail_to p1@example.org | tail -1)
check "  P1's reminder is a reminder" grep -q -a '^Subject: Reminder' "$R1"
check "  with the right knee's link only" test "$(grep -a -o "$B/s/[A-Za-z0-9_-]*" "$R1" | sort -u | wc -l)" = 1
check "  which is not the answered left one" sh -c "! grep -q -a '$LEFT' '$R1'"
check "  4 e-mails in all" test "$(mails)" = 4
expect_status 0 "send on day 3 again" G followup send --as-of "$(day 3)"
check "  never twice on one day" test "$(mails)" = 4 -a "$(wc -l <sms.log)" = 2

# ---- day 7: the mail server is down
smtp_stop
expect_status 1 "send on day 7 with the mail server down: exit 1" G followup send --as-of "$(day 7)" --format json
cp out d7.json
check "  the two e-mails failed, the text went" \
  python3 -c 'import json,sys;d=json.load(open("d7.json"));sys.exit(0 if (d["failed"],d["reminded"])==(2,1) else 1)'
check "  the failure is kept on the message, not marked sent" \
  test "$(G export | grep -c '"kind":"reminder".*"status":"failed".*"error"')" = 2
smtp_start
expect_status 0 "the same day, back up: the failures wait for their backoff" G followup send --as-of "$(day 7)" --format json
check "  deferred, not sent" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));sys.exit(0 if (d["deferred"],d["reminded"])==(2,0) else 1)' out
check "  no e-mail yet" test "$(mails)" = 4
expect_status 0 "day 8: what failed is delivered" G followup send --as-of "$(day 8)" --format json
check "  both reminders delivered" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));sys.exit(0 if (d["reminded"],d["failed"])==(2,0) else 1)' out
check "  6 e-mails in all" test "$(mails)" = 6
check "  no third reminder (reminder days 3,7)" \
  sh -c "test \"\$('$GENU' --db '$DB' followup send --as-of $(day 12) --format json | python3 -c 'import json,sys;print(json.load(sys.stdin)[\"reminded\"])')\" = 0"

# ---- who to call: unanswered after the last reminder, phone for staff
expect_status 0 "followup list on day 9" G followup list --as-of "$(day 9)" --status to_call --format json
cp out calls.json
check "  P1's right knee and P5 (reminded twice), P4 (no address, but no phone: not listed)" \
  python3 -c 'import json,sys;d=json.load(open("calls.json"));k=sorted((w["patient"],w.get("knee"),w["reminders"]) for w in d["windows"]);sys.exit(0 if k==[("P1","right",2),("P3","left",2),("P5","left",2)] else 1)'
check "  with their phone numbers" grep -q '"phone":"+1 555 0005"' calls.json
echo "admin-password" | G user add admin --role admin >/dev/null
echo "clin-password" | G user add clin --role clinician --sites elm >/dev/null
echo "res-password" | G user add res --role researcher >/dev/null
for u in admin clin res; do
  curl -s -o /dev/null -c "$T/$u.jar" -H 'Content-Type: application/json' \
    --data-binary "{\"name\":\"$u\",\"password\":\"$u-password\"}" "$B/api/v1/session"
done
check "GET /api/v1/followup/calls as a clinician of elm: 200" test "$(get clin "/api/v1/followup/calls?as_of=$(day 9)")" = 200
check "  only elm's knees" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));sys.exit(0 if [w["patient"] for w in d["windows"]]==["P3"] and d["windows"][0]["phone"]=="+1 555 0003" else 1)' "$T/body"
check "  a researcher may not: 403" test "$(get res /api/v1/followup/calls)" = 403
check "GET /api/v1/followup/rates: 200" test "$(get admin "/api/v1/followup/rates?as_of=$(day 30)")" = 200
check "  6w at oak: 4 windows closed, 2 invited, 2 answered (P1 left; P6 before)" \
  python3 -c 'import json,sys;r={(x["timepoint"],x["site"]):x for x in json.load(open(sys.argv[1]))["rates"]};x=r[("6w","oak")];sys.exit(0 if (x["closed"],x["invited"],x["answered"])==(5,3,2) else 1)' "$T/body"

# ---- the unsubscribe link: one POST
P5MAIL=$(mail_to p5@example.org | tail -1)
UNSUB=$(grep -a -o "$B/u/[A-Za-z0-9_-]*" "$P5MAIL" | head -1)
check "the unsubscribe page answers" test "$(curl -s -o body -w '%{http_code}' "$UNSUB")" = 200
check "one-click POST (RFC 8058): 200" test "$(curl -s -o body -w '%{http_code}' --data-binary 'List-Unsubscribe=One-Click' "$UNSUB")" = 200
check "  P5's contact is none" grep -q '"type":"identity","patient":"P5".*"contact":"none"' <(G export)
check "  an opt_out message is kept" grep -q '"patient":"P5".*"kind":"opt_out"' <(G export)
check "  a forged token is 404" test "$(curl -s -o body -w '%{http_code}' --data-binary 'x' "$B/u/AAAA${UNSUB##*/}")" = 404
expect_status 0 "the next run skips P5 as opted out" G followup send --as-of "$(day 10)" --format json
check "  counted" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));sys.exit(0 if d["skipped"]["opted_out"]==2 else 1)' out

# ---- the messages travel with the registry
G export >all.jsonl
D2=$(new_registry copy)
"$GENU" --db "$D2" init >/dev/null
expect_status 0 "the export imports into a new registry" "$GENU" --db "$D2" import all.jsonl
check "  byte for byte" cmp -s all.jsonl <("$GENU" --db "$D2" export)
check "  de-identified export keeps messages without time or error" \
  sh -c "'$GENU' --db '$DB' export --deidentify | grep '\"type\":\"message\"' | grep -v -q -E 'last_attempt|error|P5'"
expect_status 0 "the audit trail verifies" G audit verify

# ---- genu serve runs the job itself while a channel is configured
D4=$(new_registry served)
"$GENU" --db "$D4" init >/dev/null
printf '%s\n' '{"type":"patient","id":"P9","site":"oak","sex":"male","birth_year":1950}' \
  '{"type":"identity","patient":"P9","email":"p9@example.org"}' \
  "{\"type\":\"treatment\",\"patient\":\"P9\",\"knee\":\"left\",\"date\":\"$T45\",\"kind\":\"prp\",\"sites\":[\"intra_articular\"]}" |
  "$GENU" --db "$D4" import - >/dev/null
for kv in "followup.base_url https://survey.example.org" "smtp.url smtp://127.0.0.1:$SMTP_PORT" \
          "smtp.from followup@oak.example"; do
  "$GENU" --db "$D4" settings set $kv >/dev/null
done
start_server "$D4" --threads 2 --followup-interval 1
for _ in $(seq 100); do [ -n "$(mail_to p9@example.org)" ] && break; sleep 0.1; done
check "genu serve sent the invitation itself" test -n "$(mail_to p9@example.org)"
check "  with the public base URL" grep -q -a 'https://survey.example.org/s/' "$(mail_to p9@example.org)"
check "  and answered requests meanwhile" test "$(curl -s -o /dev/null -w '%{http_code}' "$B/")" = 200
sleep 2
check "  once: later runs found nothing new" test "$(mail_to p9@example.org | wc -l)" = 1
check "  its runs are logged" grep -q 'genu: followup: 1 due, 1 invited' "$T/serve.err"

# ---- kill -9 in the middle of runs: no invitation lost, no reminder twice
D3=$(new_registry crash)
"$GENU" --db "$D3" init >/dev/null
python3 - "$T45" >many.jsonl <<'PY'
import json,sys
for i in range(30):
    p="K%02d"%i
    print(json.dumps({"type":"patient","id":p,"site":"oak","sex":"male","birth_year":1950}))
    print(json.dumps({"type":"identity","patient":p,"phone":"+1 555 1%03d"%i}))
    print(json.dumps({"type":"treatment","patient":p,"knee":"left","date":sys.argv[1],"kind":"prp","sites":["intra_articular"]}))
PY
"$GENU" --db "$D3" import many.jsonl >/dev/null
cat >slow.sh <<'SH'
#!/bin/sh
printf '%s|%s\n' "$1" "$2" >>"$(dirname "$0")/slow.log"
sleep 0.03
SH
chmod +x slow.sh
: >slow.log
"$GENU" --db "$D3" settings set followup.base_url "$B" >/dev/null
"$GENU" --db "$D3" settings set followup.sms_command "$T/slow.sh" >/dev/null
killed=0
crash_runs() { # crash_runs AS_OF: runs killed at random moments, then one to the end
  local i
  for i in 1 2 3 4 5 6; do
    "$GENU" --db "$D3" followup send --as-of "$1" >/dev/null 2>&1 &
    local pid=$!
    sleep "0.$((RANDOM % 4 + 1))"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
  done
  "$GENU" --db "$D3" followup send --as-of "$1" >"$T/last.out" 2>&1
}
crash_runs "$(day 0)"
crash_runs "$(day 3)"
check "runs were killed mid-way ($killed)" test "$killed" -ge 3
check "every patient got at least one invitation" \
  python3 -c 'import sys,collections;c=collections.Counter(l.split("|")[0] for l in open("slow.log") if "asks how" in l);sys.exit(0 if len(c)==30 else 1)'
check "no patient got the day-3 reminder twice" \
  python3 -c 'import sys,collections;c=collections.Counter(l.split("|")[0] for l in open("slow.log") if l.split("|")[1].startswith("Reminder"));sys.exit(0 if c and max(c.values())==1 else 1)'
cp slow.log before7.log
pids=()
for _ in 1 2 3; do
  "$GENU" --db "$D3" followup send --as-of "$(day 7)" >/dev/null 2>&1 &
  pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the servers run in the background too
check "three runs at once on day 7: no patient reminded twice that day" \
  python3 -c 'import sys,collections
n=lambda f:collections.Counter(l.split("|")[0] for l in open(f) if l.split("|")[1].startswith("Reminder"))
a,b=n("before7.log"),n("slow.log");d=[b[k]-a[k] for k in b]
sys.exit(0 if d and max(d)==1 and sum(d)>=25 else 1)'
check "every invitation is recorded sent" test "$("$GENU" --db "$D3" export | grep -c '"kind":"invitation","channel":"sms","status":"sent"')" = 30
expect_status 0 "the crashed registry's audit trail verifies" "$GENU" --db "$D3" audit verify
finish
