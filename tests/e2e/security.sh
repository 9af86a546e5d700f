#!/usr/bin/env bash
# Security findings of the server, each shown fixed (docs/operations.md):
# sign-in attempts reserved before the password check, no lock-out of an
# account by strangers, sessions ended by a password change or a disabled
# account, common and blank passwords refused, state changes only as JSON
# (no login CSRF from a form), an adverse event only of the patient's own
# treatment (no existence oracle), sites without commas, ids without '/',
# invisible or direction characters, and one de-identification key however
# many first exports race.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry sec)
G() { "$GENU" --db "$DB" "$@"; }
G init >/dev/null
cat >reg.jsonl <<'JL'
{"type":"patient","id":"A1","site":"oak","sex":"male","birth_year":1950}
{"type":"treatment","id":"TA","patient":"A1","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"patient","id":"B1","site":"elm","sex":"female","birth_year":1960}
{"type":"treatment","id":"TB","patient":"B1","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
JL
expect_status 0 "import" G import reg.jsonl
sqlite_only check "the registry file is its owner's alone (0600)" test "$(stat -c %a "$DB")" = 600

# ---- passwords (ASVS 2.1): common, blank, repeated and the user's name refused
for pw in 12345678 password1 "        " aaaaaaaaaa clinician1; do
  expect_status 1 "user add refuses the password \"$pw\"" sh -c "printf '%s\n' '$pw' | '$GENU' --db '$DB' user add clinician1 --role clinician --password-stdin"
done
check "  saying why" grep -q 'password: ' err
check "  and no user was made" sh -c "! '$GENU' --db '$DB' user list | grep -q clinician1"
echo "admin-pass-2718" | G user add admin --role admin --password-stdin >/dev/null
echo "clin-pass-3141" | G user add clin --role clinician --sites oak --password-stdin >/dev/null
echo "res-pass-1618" | G user add res --role researcher --password-stdin >/dev/null

start_server "$DB" --threads 4 --followup-interval 0
signin() { # signin NAME PASSWORD [JAR] [SOURCE ADDRESS] -> status
  local j=${3:-$1}
  curl -s -o "$T/body" -w '%{http_code}' -c "$T/$j.jar" ${4:+--interface "$4"} \
    -H 'Content-Type: application/json' --data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" \
    "$B/api/v1/session"
}
csrf() { python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["csrf"])' "$T/body"; }

# ---- state changes are JSON only: a form cannot sign the victim in (login CSRF)
st=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: text/plain' \
  --data-binary '{"name":"admin","password":"admin-pass-2718"}' "$B/api/v1/session")
check "sign-in sent as text/plain (a cross-site form): 415" test "$st" = 415
check "  no session cookie" sh -c "! grep -qi set-cookie body"
check "sign-in as JSON: 200" test "$(signin admin admin-pass-2718)" = 200
ACSRF=$(csrf)
st=$(curl -s -o body -w '%{http_code}' -b "$T/admin.jar" -H "X-CSRF-Token: $ACSRF" \
  -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'type=patient' "$B/api/v1/records")
check "a record POST as a form: 415" test "$st" = 415
post() { curl -s -o body -w '%{http_code}' -b "$T/admin.jar" -H "X-CSRF-Token: $ACSRF" -H 'Content-Type: application/json; charset=utf-8' --data-binary "$1" "$B/api/v1/records"; }

# ---- an adverse event names its own patient's treatment; no existence oracle
st=$(post '{"type":"adverse_event","patient":"A1","knee":"left","date":"2020-01-05","kind":"flare","severity":1,"serious":false,"treatment":"TB"}')
check "an adverse event of A1 naming B1's treatment: 422" test "$st" = 422
cp body other.json
st=$(post '{"type":"adverse_event","patient":"A1","knee":"left","date":"2020-01-05","kind":"flare","severity":1,"serious":false,"treatment":"NOPE"}')
check "  the same answer as a treatment that does not exist" \
  python3 -c 'import json,sys;a=json.load(open("other.json"))["error"];b=json.load(open("body"))["error"];sys.exit(0 if a["code"]==b["code"]=="unknown_reference" and a["field"]==b["field"] else 1)'
check "  its own treatment: 201" test "$(post '{"type":"adverse_event","patient":"A1","knee":"left","date":"2020-01-05","kind":"flare","severity":1,"serious":false,"treatment":"TA"}')" = 201
printf '%s\n' '{"type":"adverse_event","patient":"B1","knee":"left","date":"2020-01-05","kind":"flare","severity":1,"serious":false,"treatment":"TA"}' >ae.jsonl
expect_status 1 "an import naming another patient's treatment is refused" G import ae.jsonl
check "  naming the field" grep -q 'field "treatment": no treatment "TA" of patient "B1"' err

# ---- sites and ids
check "a site with a comma: 400" test "$(post '{"type":"patient","id":"C1","site":"oak,elm","sex":"male","birth_year":1950}')" = 400
check "  naming the field" grep -q '"field":"site"' body
check "an id with '/': 400" test "$(post '{"type":"patient","id":"C/1","site":"oak","sex":"male","birth_year":1950}')" = 400
check "an id with a right-to-left override: 400" test "$(post "$(printf '{"type":"patient","id":"C\\u202e1","site":"oak","sex":"male","birth_year":1950}')")" = 400
check "  saying why" grep -q 'invisible or text-direction' body
check "an id with a zero-width space: 400" test "$(post "$(printf '{"type":"patient","id":"C\\u200b1","site":"oak","sex":"male","birth_year":1950}')")" = 400

# ---- sign-in attempts: reserved before Argon2id, per account and address
for i in $(seq 20); do signin clin "wrong-$i" s$i >"st$i" & done
wait_all() { local p; for p in $(jobs -p); do [ "$p" = "$SPID" ] || wait "$p"; done; }
wait_all
n401=$(grep -l 401 st* | wc -l); n429=$(grep -l 429 st* | wc -l)
check "20 parallel wrong guesses: at most 5 are tried ($n401), the rest 429 ($n429)" test "$n401" -le 5 -a "$((n401 + n429))" = 20
check "the blocked address cannot sign in as clin even with the password" test "$(signin clin clin-pass-3141)" = 429
check "  but clin signs in from another address" test "$(signin clin clin-pass-3141 clin 127.0.0.2)" = 200
check "  and the stranger did not lock admin out" test "$(signin admin admin-pass-2718 admin2)" = 200

# ---- a password change or a disabled account ends the sessions
check "researcher signs in" test "$(signin res res-pass-1618 res 127.0.0.3)" = 200
check "  and reads" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/res.jar" "$B/api/v1/me")" = 200
echo "res-pass-2-9999" | G user passwd res --password-stdin >/dev/null
check "after genu user passwd the old session is over: 401" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/res.jar" "$B/api/v1/me")" = 401
check "clin's session reads" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/clin.jar" "$B/api/v1/me")" = 200
G user disable clin >/dev/null
check "after genu user disable the session is over: 401" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/clin.jar" "$B/api/v1/me")" = 401

# ---- one de-identification key, however many first exports race
check "researcher signs in again" test "$(signin res res-pass-2-9999 res 127.0.0.3)" = 200
for i in $(seq 12); do curl -s -b "$T/res.jar" "$B/api/v1/export" >"ex$i.jsonl" & done
wait_all
check "12 concurrent first exports give the same pseudonyms" test "$(md5sum ex*.jsonl | awk '{print $1}' | sort -u | wc -l)" = 1
check "  pseudonymous" sh -c "! grep -q '\"A1\"' ex1.jsonl && grep -q '\"type\":\"patient\"' ex1.jsonl"
# ---- sign-ins, failed sign-ins, survey links and secrets are audited
st=$(curl -s -o body -w '%{http_code}' -b "$T/admin.jar" -H "X-CSRF-Token: $ACSRF" -H 'Content-Type: application/json' \
  --data-binary '{"patient":"A1","knee":"left","instruments":["nprs"]}' "$B/api/v1/surveys")
check "a survey link is made: 201" test "$st" = 201
TOKEN=$(python3 -c 'import json;print(json.load(open("body"))["url"][3:])')
G audit list --limit 100000 >audit.txt
check "the trail has the sign-ins" grep -q 'sign_in.*session.*admin' audit.txt
check "  the failed sign-ins" grep -q 'sign_in_failed.*session.*clin' audit.txt
check "  with the address" bash -c "registry_sql '$DB' \"SELECT after FROM audit WHERE action='sign_in_failed'\" | grep -q 127.0.0.1"
check "  the survey link" grep -q 'create.*survey_link' audit.txt
check "  with its patient" bash -c "registry_sql '$DB' \"SELECT after FROM audit WHERE type='survey_link'\" | grep -q '\"patient\":\"A1\"'"
check "  but never its token" sh -c "! grep -q '$TOKEN' audit.txt"
check "  the de-identification key's creation, once, without its value" test "$(grep -c 'create.*secret.*deid_key' audit.txt)" = 1
check "  never a password" sh -c "! grep -q -e 'admin-pass-2718' -e 'wrong-1' audit.txt"

# ---- ambiguous framing is refused before any body is read
raw() { python3 - "$PORT" "$1" <<'PY'
import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),5); s.sendall(sys.argv[2].encode()); s.settimeout(5)
print(s.recv(100).split(b"\r\n")[0].decode().split(" ")[1])
PY
}
BODY='{"name":"nobody","password":"wrong-password"}'
check "two Content-Length headers: 400" test "$(raw "$(printf 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nContent-Length: 2\r\n\r\n%s' ${#BODY} "$BODY")")" = 400
check "'Transfer-Encoding : chunked' (a space before the colon): 400" test "$(raw "$(printf 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding : chunked\r\nContent-Length: %d\r\n\r\n%s' ${#BODY} "$BODY")")" = 400
check "  the same body framed once is read (401)" test "$(raw "$(printf 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' ${#BODY} "$BODY")")" = 401
# the rest of what RFC 9112 refuses and libmicrohttpd lets through: genu's
# own answer, the JSON error with the security headers, and the connection
# closed (a body of unknown length is not waited for)
# rawfull OUT FORMAT ARGS...: sends printf FORMAT ARGS (through a file: a
# command substitution would drop the final newline) and keeps the whole answer
rawfull() { local out=$1; shift; printf "$@" >"$out.req"; python3 - "$PORT" "$out.req" "$out" <<'PY'
import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),10); s.sendall(open(sys.argv[2],"rb").read()); data=b""
try:
    while True:
        d=s.recv(65536)
        if not d: break
        data+=d
except OSError: data+=b"\nTIMED OUT"
open(sys.argv[3],"wb").write(data)
PY
}
genu_400() { head -1 "$1" | grep -q '^HTTP/1.1 400 ' && grep -q '^Connection: close' "$1" && grep -q '^X-Content-Type-Options: nosniff' "$1" && grep -q '^Content-Security-Policy: ' "$1" && grep -q "^{\"error\":{\"code\":\"bad_request\",\"message\":\"$2" "$1"; }
rawfull te.txt 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n%s' "$BODY"
check "Transfer-Encoding gzip (a body of unknown length): 400 at once, JSON and headers, closed" genu_400 te.txt 'Transfer-Encoding: only one'
rawfull tecl.txt 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n%s' ${#BODY} "$BODY"
check "Transfer-Encoding with Content-Length (request smuggling): 400" genu_400 tecl.txt 'both Transfer-Encoding and Content-Length'
rawfull nohost.txt 'GET /healthz HTTP/1.1\r\n\r\n'
check "an HTTP/1.1 request without Host: 400" genu_400 nohost.txt 'an HTTP/1.1 request needs a Host header'
rawfull twohosts.txt 'GET /healthz HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n'
check "two Host headers: 400" genu_400 twohosts.txt 'more than one Host header'
rawfull http10.txt 'GET /healthz HTTP/1.0\r\n\r\n'
check "  an HTTP/1.0 request without Host is answered (200)" sh -c "head -1 http10.txt | grep -q '^HTTP/1.1 200 '"
# what libmicrohttpd answers itself (docs/security.md lists them): its own
# fixed page, without genu's headers, nothing of the request in it, closed
rawfull h2.txt 'GET /<script>MARKXSS</script> HTTP/2.0\r\nHost: x\r\n\r\n'
check "HTTP/2.0 in the request line: libmicrohttpd's own 505, closed" sh -c "head -1 h2.txt | grep -q '^HTTP/1.1 505 ' && grep -q '^Connection: close' h2.txt && ! grep -q 'TIMED OUT' h2.txt"
check "  that quotes nothing of the request" sh -c "! grep -q -e MARKXSS -e script h2.txt"
rawfull big.txt 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-MARKXSS: <script>%070000d</script>\r\n\r\n' 0
check "headers past the 64 KiB connection memory: libmicrohttpd's own 431, quoting nothing" sh -c "head -1 big.txt | grep -q '^HTTP/1.1 431 ' && ! grep -q -e MARKXSS -e script big.txt"
expect_status 0 "the audit trail verifies" G audit verify

# ---- a session unused for the idle timeout ends; one in use lives on
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
start_server "$DB" --threads 2 --followup-interval 0 --idle-timeout 3
check "admin signs in (idle timeout 3 s)" test "$(signin admin admin-pass-2718 idle 127.0.0.4)" = 200
check "  a second account signs in" test "$(signin res res-pass-2-9999 busy 127.0.0.4)" = 200
me() { curl -s -o /dev/null -w '%{http_code}' -b "$T/$1.jar" "$B/api/v1/me"; }
for _ in 1 2 3 4 5; do sleep 1; busy=$(me busy); done
check "a session used every second for 5 s lives on" test "$busy" = 200
check "one left alone for 5 s has ended: 401" test "$(me idle)" = 401

# ---- slow clients of one address cannot starve the others
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
start_server "$DB" --threads 2 --followup-interval 0 --max-per-address 8
python3 - "$PORT" >slow.out 2>&1 <<'PY' &
import socket,sys,time
socks=[]
for i in range(40):                    # forty slow clients from 127.0.0.1
    try:
        s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),2)
        s.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"); socks.append(s)
    except OSError: pass
for _ in range(8):                      # a header line every second, never done
    time.sleep(1)
    for s in socks:
        try: s.sendall(b"X-Slow: 1\r\n")
        except OSError: pass
PY
SLOW=$!
sleep 1
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.2 "$B/api/v1/me")
check "while 40 slow sockets hold 127.0.0.1, a client of 127.0.0.2 is answered at once" test "$st" = 401
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$B/api/v1/me")
check "  and 127.0.0.1 itself is refused, not queued (past its 8 connections)" test "$st" = 000
kill "$SLOW" 2>/dev/null; wait "$SLOW" 2>/dev/null

# ---- a deadline for a request's head (docs/security.md, Resource limits):
# clients that send a header byte every second are closed after
# --header-timeout 3 (the idle timeout of 60 s never fires), without an
# answer, while others are served; once they are gone their address is
# served again
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
start_server "$DB" --threads 2 --followup-interval 0 --max-per-address 8 --header-timeout 3 --timeout 60
python3 - "$PORT" >dribble.out 2>&1 <<'PY' &
import select,socket,sys,time
port=int(sys.argv[1]); t0=time.time(); socks={}
# 8 from 127.0.0.1 (its whole allowance) and 8 from each of four more addresses
for src in ["127.0.0.1"]+["127.0.0.%d"%i for i in range(10,14)]:
    for _ in range(8):
        s=socket.create_connection(("127.0.0.1",port),2,source_address=(src,0))
        s.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: "); socks[s]=None
answered=0
while time.time()-t0<40 and any(v is None for v in socks.values()):
    for s in [s for s,v in socks.items() if v is None]:
        try: s.sendall(b"a")                   # one more header byte, never the end
        except OSError: socks[s]=time.time()-t0
    r,_,_=select.select([s for s,v in socks.items() if v is None],[],[],1)
    for s in r:
        try: data=s.recv(4096)
        except OSError: data=b""
        if data: answered+=1
        socks[s]=time.time()-t0
closed=[v for v in socks.values() if v is not None]
print(len(socks),len(closed),"%.1f"%max(closed or [99]),"%.1f"%min(closed or [0]),answered)
PY
DRIB=$!
sleep 1
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.2 "$B/api/v1/me")
check "while 40 clients dribble their headers, a client of 127.0.0.2 is answered at once" test "$st" = 401
st=000
for _ in $(seq 25); do
  st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$B/api/v1/me")
  [ "$st" = 401 ] && break
  sleep 1
done
check "  and 127.0.0.1, held by 8 of them, is served again within the deadline + 20 s" test "$st" = 401
wait "$DRIB"
read -r n closed last first answered <dribble.out
check "every dribbling client was closed ($closed of $n), within the deadline + 20 s (the last after ${last} s)" \
  python3 -c "import sys;sys.exit(0 if $n == 40 and $closed == 40 and $last <= 23 else 1)"
check "  none before 2 s (the first after ${first} s): by the deadline, not refused at once" \
  python3 -c "import sys;sys.exit(0 if $first >= 2 else 1)"
check "  without an answer" test "$answered" = 0
finish
