#!/usr/bin/env bash
# End-to-end durability (docs/design.md, Security and reliability): sustained concurrent survey
# submissions through group commit, SIGKILL of the server in the middle of
# the load, a restart, and then every submission that was acknowledged (200)
# is in the registry (counted, by patient and link), the links are spent, and
# the audit trail verifies (on PostgreSQL the database server is crashed
# and restarted at the same moment). Nothing here depends on timing: the
# kill comes once enough acknowledgements have been seen, whenever that is.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
LINKS=1500
SPID= LPID=
at_exit '[ -z "$LPID" ] || kill $LPID 2>/dev/null; [ -z "$SPID" ] || kill $SPID 2>/dev/null'

G init >/dev/null
python3 - "$LINKS" >patients.jsonl <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"type":"patient","id":"D%05d","site":"oak","sex":"female","birth_year":1960}' % i)
PY
G import patients.jsonl >/dev/null 2>&1 || fail "import the patients"
echo 'admin-password' | G user add admin --role admin >/dev/null

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
start() { # start: serve on a fresh port, wait until it answers
  PORT=$(port)
  "$GENU" --db "$DB" serve --listen 127.0.0.1:$PORT >>serve.out 2>>serve.err &
  SPID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0; sleep 0.1; done
  return 1
}
check "serve starts" start

# one link per patient, made through the API (tokens to links.txt: patient token)
check "links are made through the API" python3 - "$PORT" "$LINKS" <<'PY'
import http.client, json, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/api/v1/session", json.dumps({"name": "admin", "password": "admin-password"}),
          {"Content-Type": "application/json"})
r = c.getresponse(); body = json.loads(r.read())
cookie = r.getheader("Set-Cookie").split(";")[0]
h = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": body["csrf"]}
with open("links.txt", "w") as out:
    for i in range(n):
        p = "D%05d" % i
        c.request("POST", "/api/v1/surveys", json.dumps({"patient": p, "knee": "left", "instruments": ["nprs"]}), h)
        r = c.getresponse(); d = json.loads(r.read())
        assert r.status == 201, (r.status, d)
        out.write("%s %s\n" % (p, d["url"][3:]))
PY

# the load: 8 threads, each on its own keep-alive connection, submitting
# answers; every 200 is appended to acked.txt (flushed) before the next post
cat >load.py <<'PY'
import http.client, sys, threading
port = int(sys.argv[1])
links = [l.split() for l in open("links.txt")]
lock = threading.Lock()
acked = open("acked.txt", "w", buffering=1)
state = {"next": 0, "refused": 0, "broken": 0}
def take():
    with lock:
        i = state["next"]; state["next"] += 1
        return links[i] if i < len(links) else None
def worker():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while True:
        l = take()
        if l is None:
            return
        p, tok = l
        try:
            c.request("POST", "/s/" + tok, "nprs.intensity=%d" % (hash(p) % 11),
                      {"Content-Type": "application/x-www-form-urlencoded"})
            r = c.getresponse(); r.read()
        except Exception:
            with lock: state["broken"] += 1
            return  # the server is gone
        with lock:
            if r.status == 200:
                acked.write("%s %s %d\n" % (p, tok, hash(p) % 11))
            else:
                state["refused"] += 1
ts = [threading.Thread(target=worker) for _ in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print("submitted", state["next"], "refused", state["refused"], "broken", state["broken"])
PY
: >acked.txt
PYTHONHASHSEED=0 python3 load.py "$PORT" >load.out 2>&1 &
LPID=$!
# kill once a good part of the load has been acknowledged, wherever it is
for _ in $(seq 600); do
  [ "$(wc -l <acked.txt)" -ge 300 ] && break
  kill -0 $LPID 2>/dev/null || break
  sleep 0.05
done
kill -KILL $SPID
wait $SPID 2>/dev/null
# on PostgreSQL the database server crashes too (as in a power loss): what
# was acknowledged was committed, and a commit survives recovery
if [ "$GENU_TEST_BACKEND" = postgresql ]; then
  check "the PostgreSQL server crashes too (immediate stop) and restarts" pg_crash_restart
fi
wait $LPID
ACKED=$(wc -l <acked.txt)
echo "    $(cat load.out); $ACKED acknowledged before SIGKILL"
check "the server was killed in the middle of the load (some acknowledged, not all)" test "$ACKED" -ge 300 -a "$ACKED" -lt "$LINKS"

check "the server restarts on the registry" start
check "every acknowledged submission is there, with its answer, and its link is spent" python3 - "$DB" <<'PY'
import hashlib, subprocess, sys, json
def sql(q):  # lib.sh's registry_sql: either backend; rows of tab-separated fields
    out = subprocess.check_output(["bash", "-c", 'registry_sql "$@"', "-", sys.argv[1], q], text=True)
    return [l.split("\t", 1) for l in out.splitlines()]
acked = [l.split() for l in open("acked.txt")]
stored = {}
for pat, doc in sql("SELECT patient, doc FROM response"):
    stored.setdefault(pat, []).append(json.loads(doc))
used = dict(sql("SELECT token_hash, used_us FROM survey_link"))
missing = [p for p, tok, v in acked
           if not any(d["instrument"] == "nprs" and d["items"]["intensity"] == int(v) for d in stored.get(p, []))]
unspent = [p for p, tok, v in acked
           if used.get(hashlib.sha256(tok.encode()).hexdigest(), "") == ""]
twice = [p for p, ds in stored.items() if len(ds) > 1]
print("    acknowledged %d, stored %d, missing %d, unspent %d, stored twice %d"
      % (len(acked), len(stored), len(missing), len(unspent), len(twice)))
# a submission may be stored without its acknowledgement (killed between
# commit and reply), never the other way round
sys.exit(1 if missing or unspent or twice or len(stored) < len(acked) else 0)
PY
st=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary 'nprs.intensity=1' "http://127.0.0.1:$PORT/s/$(head -1 acked.txt | cut -d' ' -f2)")
check "an acknowledged link, submitted again after the restart, is already used (410)" test "$st" = 410
kill -TERM $SPID; wait $SPID
expect_status 0 "genu audit verify after the crash" G audit verify
check "  intact" grep -q 'audit trail intact' "$T/out"
check "  one audit row per stored response (and per patient and link made)" python3 - "$DB" <<'PY'
import subprocess, sys
def count(q):  # lib.sh's registry_sql: either backend
    return int(subprocess.check_output(["bash", "-c", 'registry_sql "$@"', "-", sys.argv[1], q]))
n = count("SELECT count(*) FROM response")
a = count("SELECT count(*) FROM audit WHERE type='response' AND action='create'")
sys.exit(0 if n == a else 1)
PY
finish
