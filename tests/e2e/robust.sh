#!/usr/bin/env bash
# End-to-end robustness of genu serve (docs/design.md, Security and
# reliability: bad input of every kind): malformed JSON, wrong types, huge and
# lying bodies, bad UTF-8, unknown fields, bad survey forms, path traversal in
# static paths, slow and stalled clients, many idle connections. Each must get
# a 4xx (or the connection closed), change nothing, and leave the server
# serving others.
# Connections idle for --timeout (1 s here) are closed; the checks wait for
# that without timing it.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }

G init >/dev/null
echo '{"type":"patient","id":"P1","site":"oak","sex":"female","birth_year":1950}' >seed.jsonl
G import seed.jsonl >/dev/null 2>&1 || fail "seed import"
echo 'admin-password' | G user add admin --role admin >/dev/null
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$GENU" --db "$DB" serve --listen 127.0.0.1:$PORT --threads 4 --timeout 1 \
  --max-per-address 1000 >serve.out 2>serve.err &
SPID=$!
at_exit 'kill $SPID 2>/dev/null'
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

python3 - "$PORT" "$DB" >robust.out 2>&1 <<'PY'
import http.client, json, socket, subprocess, sys, threading, time
port, db = int(sys.argv[1]), sys.argv[2]
fails = 0
def check(name, cond, detail=""):
    global fails
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)[:300]))
    fails += 0 if cond else 1
def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
def req(method, path, body=None, headers=None):
    c = conn()
    c.request(method, path, body, headers or {})
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data
def sql_count(q):  # lib.sh's registry_sql: either backend
    return int(subprocess.check_output(["bash", "-c", 'registry_sql "$@"', "-", db, q]))
def audit_rows():
    return sql_count("SELECT count(*) FROM audit")
def alive():
    return req("GET", "/")[0] == 200
def raw(data, read=True):
    """Sends raw bytes on a new connection; returns what came back until close."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(data)
    out = b""
    if read:
        s.shutdown(socket.SHUT_WR)
        while True:
            try: b = s.recv(65536)
            except OSError: break
            if not b: break
            out += b
    s.close()
    return out
def closed_by_server(s):
    """Waits (blocking, no deadline of its own) until the server closes s."""
    s.settimeout(60)
    try:
        while s.recv(65536): pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False

st, body = req("POST", "/api/v1/session", json.dumps({"name": "admin", "password": "admin-password"}),
               {"Content-Type": "application/json"})
cookie = None
c = conn(); c.request("POST", "/api/v1/session", json.dumps({"name": "admin", "password": "admin-password"}),
                      {"Content-Type": "application/json"})
r = c.getresponse(); d = json.loads(r.read()); cookie = r.getheader("Set-Cookie").split(";")[0]; c.close()
H = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": d["csrf"]}
def post_record(body):
    return req("POST", "/api/v1/records", body, H)

# ---- intended writes first: an unknown record field is kept in "extra" (docs/format.md)
st, body = post_record('{"type":"patient","id":"PX","site":"oak","sex":"male","birth_year":1960,"colour":"red"}')
check("an unknown record field is kept in extra (201)", st == 201 and json.loads(body)["record"].get("extra", {}).get("colour") == "red", body)
st, body = req("POST", "/api/v1/surveys", json.dumps({"patient": "P1", "knee": "left", "instruments": ["nprs"]}), H)
link = json.loads(body)["url"]
before = audit_rows()

# ---- JSON bodies
def bad_json(name, body, want=400, field=None):
    st, data = post_record(body)
    ok = st == want
    try:
        e = json.loads(data)["error"]; ok = ok and e["code"] and e["message"]
        if field: ok = ok and e.get("field") == field
    except Exception:
        ok = False
    check("%s -> %d with the error shape" % (name, want), ok, (st, data[:200]))
bad_json("truncated JSON", b'{"type":"patient","id":')
bad_json("trailing garbage", b'{"type":"patient"}}')
bad_json("a bare string", b'"patient"')
bad_json("JSON with a NUL byte", b'{"type":"patient",\x00"id":"Z"}')
bad_json("a NUL escape in a string", b'{"type":"patient","id":"Z\\u0000","site":"oak","sex":"male","birth_year":1960}')
bad_json("nesting 100000 deep", b'[' * 100000 + b']' * 100000)
bad_json("a huge number", b'{"type":"patient","id":"Z","site":"oak","sex":"male","birth_year":1' + b'0' * 400 + b'}')
bad_json("id of the wrong type", b'{"type":"patient","id":7,"site":"oak","sex":"male","birth_year":1960}', field="id")
bad_json("birth_year a string", b'{"type":"patient","id":"Z","site":"oak","sex":"male","birth_year":"1960"}', field="birth_year")
bad_json("items an array", b'{"type":"response","patient":"P1","knee":"left","date":"2024-01-01","instrument":"nprs","items":[7]}')
bad_json("an item out of range", b'{"type":"response","patient":"P1","knee":"left","date":"2024-01-01","instrument":"nprs","items":{"intensity":99}}')
bad_json("a date that does not exist", b'{"type":"diagnosis","patient":"P1","knee":"left","date":"2024-02-30","condition":"osteoarthritis"}', field="date")
bad_json("bad UTF-8 (0xff)", b'{"type":"patient","id":"Z","site":"o\xffk","sex":"male","birth_year":1960}')
bad_json("overlong UTF-8", b'{"type":"patient","id":"Z","site":"o\xc0\xafk","sex":"male","birth_year":1960}')
bad_json("a UTF-8 surrogate", b'{"type":"patient","id":"Z","site":"o\xed\xa0\x80k","sex":"male","birth_year":1960}')
bad_json("a lone surrogate escape", b'{"type":"patient","id":"Z","site":"o\\ud800k","sex":"male","birth_year":1960}')
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(("POST /api/v1/records HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (cookie, d["csrf"], 2 << 20)).encode())
try:
    s.sendall(b"a" * (2 << 20))
except OSError:
    pass  # the server may answer and close before the body is in
resp = s.recv(4096); s.close()
check("a 2 MiB body -> 413", resp.startswith(b"HTTP/1.1 413"), resp[:80])
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(("POST /api/v1/records HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
           "Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{" % (cookie, d["csrf"])).encode())
resp = s.recv(4096); s.close()
check("a Content-Length of 100 GB -> 413 before any body", resp.startswith(b"HTTP/1.1 413"), resp[:80])
chunk = b"%x\r\n%s\r\n" % (1 << 16, b"a" * (1 << 16))
resp = raw(("POST /api/v1/records HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % (cookie, d["csrf"])).encode() + chunk * 20 + b"0\r\n\r\n")
check("a chunked body over the limit -> 413", resp.startswith(b"HTTP/1.1 413"), resp[:80])
st, data = req("POST", "/api/v1/session", json.dumps({"name": "admin", "password": "x" * 10, "remember": True}),
               {"Content-Type": "application/json"})
check("an unknown sign-in field -> 400 naming it", st == 400 and json.loads(data)["error"].get("field") == "remember", data)
st, data = req("POST", "/api/v1/surveys", json.dumps({"patient": "P1", "knee": "left", "instruments": ["nprs"], "expiry_days": 3}), H)
check("an unknown survey-link field (a misspelt option) -> 400 naming it", st == 400 and json.loads(data)["error"].get("field") == "expiry_days", data)
st, data = req("POST", "/api/v1/surveys", json.dumps({"patient": "P1", "knee": "left", "instruments": "nprs"}), H)
check("survey instruments of the wrong type -> 400", st == 400, data)
st, data = req("GET", "/api/v1/patients?search=%ff%fe", None, H)
check("a query that is not UTF-8 -> 400", st == 400, st)

# ---- survey forms (the link stays usable: nothing was spent)
F = {"Content-Type": "application/x-www-form-urlencoded"}
for name, body in [("a bad percent escape", b"nprs.intensity=%zz"), ("a truncated escape", b"nprs.intensity=%4"),
                   ("an encoded NUL", b"nprs.intensity=%00"), ("a raw NUL", b"nprs.intensity=3\x00"),
                   ("bad UTF-8", b"nprs.intensity=\xff"), ("an encoded bad UTF-8 byte", b"nprs.intensity=%ff"), ("an encoded bad UTF-8 name", b"nprs.%ff=3"),
                   ("an unknown question", b"nprs.colour=3"), ("a word for a number", b"nprs.intensity=three"),
                   ("a number out of range", b"nprs.intensity=11"), ("a huge number", b"nprs.intensity=" + b"9" * 50),
                   ("10000 fields", b"&".join(b"nprs.intensity=3" for _ in range(10000))),
                   ("nothing answered", b"")]:
    st, data = req("POST", link, body, F)
    check("survey form with %s -> 400, a page not a dump" % name, st == 400 and b"<html" in data.lower(), (st, data[:120]))

# ---- path traversal in static paths (raw request lines: no client normalises them)
for path in ["/assets/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fetc%2fpasswd",
             "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/../../etc/passwd", "/assets/....//....//etc/passwd",
             "/assets/%252e%252e/etc/passwd", "/assets/..\\..\\etc\\passwd", "/assets/%c0%ae%c0%ae/etc/passwd",
             "/assets/", "/assets//etc/passwd", "/s/../api/v1/users", "/assets/index.html%00.js"]:
    resp = raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
    status = int(resp[9:12]) if resp[:5] == b"HTTP/" else 0
    check("GET %s -> 4xx, no file" % path, 400 <= status < 500 and b"root:" not in resp, resp[:80])

# ---- slow clients
# a client that sends its headers a byte at a time, then stalls: others are
# served meanwhile, and the stalled one is closed
s = socket.create_connection(("127.0.0.1", port), timeout=30)
for b in b"GET /api/v1/instruments HTTP/1.1\r\nHost: x\r\n":
    s.send(bytes([b])); time.sleep(0.01)
check("while a client trickles its headers, others are served", req("GET", "/api/v1/instruments", None, H)[0] == 200)
check("the trickling client that stalls is closed by the server", closed_by_server(s))
# a client that stalls mid-body: closed, nothing stored
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(("POST /api/v1/records HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: application/json\r\n"
           "Content-Length: 200\r\n\r\n{\"type\":\"patient\",\"id\":\"STALL\"," % (cookie, d["csrf"])).encode())
check("while a client stalls mid-body, others are served", req("GET", "/api/v1/me", None, H)[0] == 200)
check("the client stalled mid-body is closed by the server", closed_by_server(s))
# a survey submission stalled mid-body does not spend the link
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nnprs.inten" % link).encode())
check("a survey post stalled mid-body is closed", closed_by_server(s))
# many idle connections (this server allows 1000 per address; security.sh tests the
# per-address limit): others are served, the idle ones are closed
idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(300)]
check("with 300 idle connections open, others are served", alive() and req("GET", "/api/v1/me", None, H)[0] == 200)
check("the 300 idle connections are closed by the server", all(closed_by_server(x) for x in idle))
for x in idle: x.close()
# a keep-alive client that goes quiet between requests is closed too
c = conn(); c.request("GET", "/api/v1/me", None, H); r = c.getresponse(); r.read()
check("a quiet keep-alive connection is closed by the server", closed_by_server(c.sock))

# ---- nothing changed, still serving
check("nothing hostile changed the registry (audit rows unchanged)", audit_rows() == before, (before, audit_rows()))
check("no record STALL or Z was stored", sql_count("SELECT count(*) FROM patient WHERE id IN ('STALL','Z')") == 0)
st, data = req("POST", link, b"nprs.intensity=4", F)
check("the survey link still works after every bad form (200)", st == 200, (st, data[:200]))
check("the server is still up", alive())
print("robust: %d failed" % fails)
PY
sed 's/^/  /' robust.out | grep -v '^  ok' | head -40
while read -r line; do
  case $line in "ok   "*) pass "${line#ok   }" ;; "FAIL "*) fail "${line#FAIL }" ;; esac
done <robust.out
grep -q '^robust: ' robust.out || fail "the robustness script ran to the end"
kill -0 $SPID 2>/dev/null && pass "the server process is alive" || fail "the server process is alive"
kill -TERM $SPID; wait $SPID; rc=$?
check "and stops cleanly (exit 0)" test "$rc" = 0
expect_status 0 "genu audit verify" G audit verify

# ---- --rules: a site's rules file is loaded at start-up; a bad one stops it
printf 'genu-rules 1\nrule nonsense\n' >bad-rules.txt
expect_status 2 "serve --rules with a bad file refuses to start" G serve --listen 127.0.0.1:$PORT --rules bad-rules.txt
check "  naming the file and line" grep -q 'bad-rules.txt:[0-9]' "$T/err"
expect_status 3 "serve --rules with a missing file refuses to start" G serve --listen 127.0.0.1:$PORT --rules no-such-rules.txt
finish
