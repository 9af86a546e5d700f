#!/usr/bin/env bash
# HTTPS in genu serve (docs/operations.md, HTTPS): a certificate the test
# makes with openssl, curl --cacert speaking HTTPS, Strict-Transport-Security
# and the Secure session cookie, a renewed certificate served after SIGHUP,
# a bad one refused at the start and kept out by a reload, /healthz, the TLS files
# from the configuration file, and --trust-proxy's forwarded address.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry tls)
"$GENU" --db "$DB" init >/dev/null
echo "admin-pass-2718" | "$GENU" --db "$DB" user add admin --role admin --password-stdin >/dev/null

# mkcert NAME: a self-signed certificate for 127.0.0.1 in NAME.crt, key NAME.key
mkcert() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days 2 \
    -subj "/CN=genu test $1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
}
mkcert one
mkcert two
cp one.crt cert.pem
cp one.key key.pem
chmod 600 key.pem
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
S=https://127.0.0.1:$PORT
# serve_tls ARGS...: genu serve on $PORT in the background; waits until it answers
serve_tls() {
  "$GENU" --db "$DB" serve --listen "127.0.0.1:$PORT" --threads 2 --followup-interval 0 "$@" \
    >serve.out 2>serve.err &
  SPID=$!
  at_exit "kill $SPID 2>/dev/null"
  for _ in $(seq 50); do curl -s -k -o /dev/null "$S/" && return 0; sleep 0.1; done
  return 1
}
stop_tls() { kill "$SPID"; wait "$SPID" 2>/dev/null; }
served_cn() { # the subject of the certificate the server presents
  openssl s_client -connect "127.0.0.1:$PORT" </dev/null 2>/dev/null | openssl x509 -noout -subject
}

check "genu serve starts with --tls-cert and --tls-key" serve_tls --tls-cert cert.pem --tls-key key.pem
check "  and says https://" grep -q "on https://127.0.0.1:$PORT/" serve.out
code=$(curl -s -o /dev/null -w '%{http_code}' -D hdr --cacert one.crt "$S/api/v1/me")
check "curl --cacert speaks HTTPS to it (401 without a session)" test "$code" = 401
check "  Strict-Transport-Security on every response" grep -qi '^Strict-Transport-Security: max-age=31536000' hdr
check "  the certificate served is the one given" sh -c "$(declare -f served_cn); PORT=$PORT served_cn | grep -q 'genu test one'"
code=$(curl -s -o /dev/null -w '%{http_code}' -D hdr --cacert one.crt -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-pass-2718"}' "$S/api/v1/session")
check "sign-in over HTTPS" test "$code" = 200
check "  the session cookie is Secure without --secure-cookies" grep -qi '^Set-Cookie: genu_session=.*; *Secure' hdr
check "  and HttpOnly" grep -qi '^Set-Cookie: genu_session=.*HttpOnly' hdr
code=$(curl -s -o health.json -w '%{http_code}' --cacert one.crt "$S/healthz")
check "GET /healthz without a session: 200" test "$code" = 200
check "  {\"status\":\"ok\"} and nothing else" python3 -c 'import json,sys;sys.exit(json.load(open("health.json"))!={"status":"ok"})'
check "plain HTTP on the HTTPS port gets no answer" sh -c "! curl -s -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/api/v1/me | grep -q '^[1-5]'"
check "a client that does not trust the certificate is refused" sh -c "! curl -s -m 5 -o /dev/null https://127.0.0.1:$PORT/"

# ---- renewal: new files, SIGHUP
cp two.crt cert.pem
cp two.key key.pem
kill -HUP "$SPID"
for _ in $(seq 50); do grep -q 'SIGHUP' serve.err && break; sleep 0.1; done
check "SIGHUP reloads the certificate" grep -q 'SIGHUP: reloaded the certificate and key' serve.err
check "  new connections get the renewed certificate" sh -c "$(declare -f served_cn); PORT=$PORT served_cn | grep -q 'genu test two'"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert two.crt "$S/api/v1/me")
check "  curl trusting only the new one is served" test "$code" = 401
check "  and the server kept running" kill -0 "$SPID"
echo "not a certificate" >cert.pem
kill -HUP "$SPID"
for _ in $(seq 50); do grep -q 'in force stays' serve.err && break; sleep 0.1; done
check "a broken certificate at SIGHUP is refused, naming the file" grep -q 'SIGHUP: --tls-cert: cert.pem: .*the certificate in force stays' serve.err
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert two.crt "$S/api/v1/me")
check "  and the certificate in force is still served" test "$code" = 401
stop_tls

# ---- bad files at the start
expect_status 2 "a key that is not the certificate's is refused at the start" \
  "$GENU" --db "$DB" serve --listen "127.0.0.1:$PORT" --tls-cert one.crt --tls-key two.key
check "  naming the key" grep -q -- '--tls-key: two.key is not the key of the certificate one.crt' err
expect_status 2 "--tls-cert without --tls-key is refused" \
  "$GENU" --db "$DB" serve --listen "127.0.0.1:$PORT" --tls-cert one.crt
check "  saying so" grep -q -- '--tls-cert without --tls-key' err
expect_status 2 "a missing certificate file is refused" \
  "$GENU" --db "$DB" serve --listen "127.0.0.1:$PORT" --tls-cert nothere.crt --tls-key one.key
check "  naming it" grep -q -- '--tls-cert: nothere.crt' err

# ---- the configuration file gives the TLS files; a flag overrides it
cat >genu.conf <<CONF
# genu's configuration for this test
db = $DB
tls_cert = $T/one.crt   # the first certificate
tls_key = $T/one.key
CONF
"$GENU" --config genu.conf serve --listen "127.0.0.1:$PORT" --threads 2 --followup-interval 0 \
  >serve.out 2>serve.err &
SPID=$!
at_exit "kill $SPID 2>/dev/null"
for _ in $(seq 50); do curl -s -k -o /dev/null "$S/" && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert one.crt "$S/api/v1/me")
check "serve takes db, tls_cert and tls_key from --config" test "$code" = 401
stop_tls

# ---- --trust-proxy: the forwarded address, only from the proxy
failed_from() { # the address of the last failed sign-in in the audit trail
  registry_sql "$DB" "SELECT after FROM audit WHERE action = 'sign_in_failed' ORDER BY seq DESC LIMIT 1"
}
bad_signin() {
  curl -s -o /dev/null --cacert one.crt -H 'Content-Type: application/json' -H "X-Forwarded-For: $1" \
    --data-binary '{"name":"admin","password":"wrong-password"}' "$S/api/v1/session"
}
serve_tls --tls-cert one.crt --tls-key one.key
bad_signin "203.0.113.9"
check "without --trust-proxy X-Forwarded-For is ignored" sh -c "$(declare -f registry_sql failed_from); DB='$DB' failed_from | grep -q '\"127.0.0.1\"'"
stop_tls
serve_tls --tls-cert one.crt --tls-key one.key --trust-proxy 127.0.0.1
bad_signin "198.51.100.1, 203.0.113.9"
check "with --trust-proxy 127.0.0.1 the proxy's last forwarded address counts" sh -c "$(declare -f registry_sql failed_from); DB='$DB' failed_from | grep -q '\"203.0.113.9\"'"
bad_signin "not-an-address"
check "  and a forwarded value that is not an address does not" sh -c "$(declare -f registry_sql failed_from); DB='$DB' failed_from | grep -q '\"127.0.0.1\"'"
stop_tls
serve_tls --tls-cert one.crt --tls-key one.key --trust-proxy 192.0.2.1
bad_signin "203.0.113.9"
check "a request from another address than the proxy's keeps its own" sh -c "$(declare -f registry_sql failed_from); DB='$DB' failed_from | grep -q '\"127.0.0.1\"'"
stop_tls
expect_status 2 "--trust-proxy refuses what is not an IP address" \
  "$GENU" --db "$DB" serve --listen "127.0.0.1:$PORT" --trust-proxy proxy.example
finish
