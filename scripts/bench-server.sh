#!/usr/bin/env bash
# The server figures (docs/design.md, Performance; docs/benchmarks.md
# "Server"), beside their targets: (a) durable survey submissions per second,
# (b) a read endpoint against a bare libmicrohttpd reply in the same run (both
# by bench/bench_server), and (c) the resident memory (VmHWM) of genu serve on
# a 100,000-patient registry after a few requests. The registry is made once
# by `genu synth --patients 100000 --import` (a few minutes) and kept in
# BENCH_CACHE. Usage: scripts/bench-server.sh [BUILD_DIR]
# env: BENCH_SECONDS (5) per phase, BENCH_CACHE ($BUILD_DIR/bench-cache),
#      BENCH_RSS_PATIENTS (100000), BENCH_SIGNINS (16) sign-ins at once,
#      BENCH_ONLY_RSS (unset) the memory phase alone; bench_server's own
#      BENCH_* variables
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "${1:-$root/build}" && pwd)
genu=$bdir/genu
for b in genu bench/bench_server; do
  [ -x "$bdir/$b" ] || { echo "bench-server.sh: $bdir/$b missing (make bench builds it)" >&2; exit 1; }
done
cache=${BENCH_CACHE:-$bdir/bench-cache}
npat=${BENCH_RSS_PATIENTS:-100000}
work=$(mktemp -d)
SPID=
trap '[ -n "$SPID" ] && kill $SPID 2>/dev/null; rm -rf "$work"' EXIT

if [ -z "${BENCH_ONLY_RSS:-}" ]; then
  echo "== server: durable survey submissions (target: >= 20,000/s on 2 cores) and a read"
  echo "   endpoint vs a bare libmicrohttpd reply (target: >= 0.50), $(nproc) cores"
  "$bdir/bench/bench_server" "$genu" "$work" "${BENCH_SECONDS:-5}"
  rm -f "$work"/bench-server.db*
fi

echo
echo "== server: resident memory on a $npat-patient registry (target: < 64 MiB)"
mkdir -p "$cache"
reg=$cache/synth-$npat.db
if [ ! -s "$reg" ] || [ -e "$reg.partial" ]; then
  echo "   making $reg (once; genu synth --patients $npat --import)"
  rm -f "$reg" "$reg-wal" "$reg-shm"
  : >"$reg.partial"
  "$genu" --db "$reg" init >/dev/null
  "$genu" --db "$reg" synth --patients "$npat" --import >/dev/null
  rm -f "$reg.partial"
fi
echo 'bench-password' | "$genu" --db "$reg" user add benchadmin --role admin >/dev/null 2>&1 || true
nsign=${BENCH_SIGNINS:-16}
for i in $(seq "$nsign"); do # one account each: the limiter counts per account and address
  echo 'bench-password' | "$genu" --db "$reg" user add "bench$i" --role clinician >/dev/null 2>&1 || true
done
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$genu" --db "$reg" serve --listen 127.0.0.1:$port >"$work/serve.out" 2>"$work/serve.err" &
SPID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
# a few requests of a clinic's morning: sign-in, instruments, a page of
# patients, two patient pages, a survey link made and answered, follow-ups
python3 - "$port" <<'PY'
import http.client, json, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
def call(m, p, body=None, h=None):
    c.request(m, p, body, h or {}); r = c.getresponse(); d = r.read(); return r.status, d, r
st, d, r = call("POST", "/api/v1/session", json.dumps({"name": "benchadmin", "password": "bench-password"}), {"Content-Type": "application/json"})
H = {"Cookie": r.getheader("Set-Cookie").split(";")[0], "X-CSRF-Token": json.loads(d)["csrf"], "Content-Type": "application/json"}
seen = [st]
seen.append(call("GET", "/api/v1/instruments", None, H)[0])
st, d, _ = call("GET", "/api/v1/patients?limit=50", None, H); seen.append(st)
pats = [p["id"] for p in json.loads(d)["patients"]]
for p in pats[:2]:
    seen.append(call("GET", "/api/v1/patients/" + p, None, H)[0])
st, d, _ = call("POST", "/api/v1/surveys", json.dumps({"patient": pats[0], "knee": "left", "instruments": ["nprs"]}), H); seen.append(st)
st, d, _ = call("POST", json.loads(d)["url"], "nprs.intensity=4", {"Content-Type": "application/x-www-form-urlencoded"}); seen.append(st)
print("   requests answered:", " ".join(map(str, seen)))
PY
hwm=$(awk '/VmHWM/ {print $2}' /proc/$SPID/status)
rss=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
echo "   genu serve: VmHWM $((hwm / 1024)) MiB (peak), VmRSS $((rss / 1024)) MiB after those requests"
# then sign-ins from many clients at once (BENCH_SIGNINS, default 16, each
# on its own connection, released together): each Argon2id check holds its
# memory while it runs, so their number at once sets the peak
python3 - "$port" "$nsign" <<'PY'
import http.client, json, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
go, codes = threading.Barrier(n), []
def signin(i):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    body = json.dumps({"name": "bench%d" % i, "password": "bench-password"})
    go.wait()
    c.request("POST", "/api/v1/session", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); codes.append(r.status)
ts = [threading.Thread(target=signin, args=(i + 1,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()
print("   %d sign-ins at once answered: %s" % (n, " ".join("%dx %d" % (codes.count(s), s) for s in sorted(set(codes)))))
PY
hwm=$(awk '/VmHWM/ {print $2}' /proc/$SPID/status)
rss=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
kill -TERM $SPID; wait $SPID || true; SPID=
echo "   genu serve: VmHWM $((hwm / 1024)) MiB (peak), VmRSS $((rss / 1024)) MiB after them; target < 64 MiB"
echo "   registry: $(du -m "$reg" | cut -f1) MiB on disk"
