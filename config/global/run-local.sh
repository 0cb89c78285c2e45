#!/usr/bin/env bash
# The global deployment (docker-compose.yml) as plain processes on this machine: three regions (us, eu, ap) of
# three nodes, each configured by node.conf and environment variables, on loopback ports. Then checks it:
# every node's /healthz is ok, every node has gateway connections to the two other regions (/gatewayz), and a
# request from region us is answered by a responder in region ap. Exits non-zero when a check fails.
#
#   ./mvnw -q -pl nats-server-core -am package -DskipTests && config/global/run-local.sh
#   SERVER=/usr/sbin/nats-server config/global/run-local.sh     # the same topology with nats-server
#   KEEP=1 config/global/run-local.sh                            # leave it running (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/../.."
SERVER="${SERVER:-bin/nats-server}"
BASE="${BASE:-15000}"
DIR=$(mktemp -d /tmp/global.XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
regions=(us eu ap)
port() { # <kind offset> <region index> <node 1..3>
  echo $(( BASE + $1 + $2 * 10 + $3 ))
}
for r in 0 1 2; do
  for i in 1 2 3; do
    others=()
    for j in 1 2 3; do [ "$j" != "$i" ] && others+=("$j"); done
    NATS_SERVER_NAME="${regions[$r]}-$i" NATS_REGION="${regions[$r]}" \
    NATS_CLIENT="127.0.0.1:$(port 0 $r $i)" NATS_HTTP="127.0.0.1:$(port 100 $r $i)" \
    NATS_CLUSTER="127.0.0.1:$(port 200 $r $i)" \
    NATS_ROUTE_1="nats-route://127.0.0.1:$(port 200 $r "${others[0]}")" \
    NATS_ROUTE_2="nats-route://127.0.0.1:$(port 200 $r "${others[1]}")" \
    NATS_GATEWAY="127.0.0.1:$(port 300 $r $i)" \
    NATS_GW_US="nats://127.0.0.1:$(port 300 0 1)" NATS_GW_EU="nats://127.0.0.1:$(port 300 1 1)" \
    NATS_GW_AP="nats://127.0.0.1:$(port 300 2 1)" \
      "$SERVER" -c config/global/node.conf >"$DIR/${regions[$r]}-$i.log" 2>&1 &
    pids+=($!)
  done
done
fail() { echo "FAIL: $*" >&2; for f in "$DIR"/*.log; do echo "== $f" >&2; tail -5 "$f" >&2; done; exit 1; }
# every node healthy
for r in 0 1 2; do
  for i in 1 2 3; do
    ok=
    for _ in $(seq 150); do
      if curl -sf "http://127.0.0.1:$(port 100 $r $i)/healthz" | grep -q '"ok"'; then ok=1; break; fi
      sleep 0.2
    done
    [ -n "$ok" ] || fail "${regions[$r]}-$i /healthz"
    echo "ok   ${regions[$r]}-$i /healthz"
  done
done
# every node has an outbound gateway connection to the two other regions
for r in 0 1 2; do
  for i in 1 2 3; do
    for o in 0 1 2; do
      [ "$o" = "$r" ] && continue
      ok=
      for _ in $(seq 100); do
        if curl -sf "http://127.0.0.1:$(port 100 $r $i)/gatewayz" \
            | jq -e --arg g "${regions[$o]}" '.outbound_gateways[$g].connection.cid' >/dev/null; then ok=1; break; fi
        sleep 0.2
      done
      [ -n "$ok" ] || fail "${regions[$r]}-$i has no gateway to ${regions[$o]}"
    done
    echo "ok   ${regions[$r]}-$i /gatewayz: $(curl -sf "http://127.0.0.1:$(port 100 $r $i)/gatewayz" \
      | jq -c '{out: (.outbound_gateways | keys), in: (.inbound_gateways | keys)}')"
  done
done
# a request from us-1 answered in ap-3 (plain NATS protocol over sockets)
python3 - "$(port 0 0 1)" "$(port 0 2 3)" <<'PY' || fail "cross-region request"
import socket, sys, time
def conn(port):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    f = s.makefile("rb")
    f.readline()  # INFO
    s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n')
    return s, f
def pong(s, f):
    s.sendall(b"PING\r\n")
    while f.readline().strip() != b"PONG":
        pass
responder, rf = conn(sys.argv[2])
responder.sendall(b"SUB global.echo 1\r\n")
pong(responder, rf)
requester, qf = conn(sys.argv[1])
requester.sendall(b"SUB _INBOX.global 1\r\n")
pong(requester, qf)
deadline = time.time() + 15
answered = False
while time.time() < deadline and not answered:
    requester.sendall(b"PUB global.echo _INBOX.global 5\r\nhello\r\n")
    responder.settimeout(0.5)
    try:
        line = rf.readline().split()
        if line and line[0] == b"MSG":
            rf.read(int(line[-1]) + 2)
            responder.sendall(b"PUB " + line[3] + b" 8\r\nfrom-ap3\r\n")
            requester.settimeout(5)
            while True:
                l = qf.readline().split()
                if l and l[0] == b"MSG":
                    body = qf.read(int(l[-1]) + 2)[:-2]
                    print("ok   request from us-1 answered in ap-3:", body.decode())
                    answered = True
                    break
                if l and l[0] == b"PING":
                    requester.sendall(b"PONG\r\n")
    except socket.timeout:
        pass
sys.exit(0 if answered else 1)
PY
echo "global topology ok"
if [ -n "${KEEP:-}" ]; then echo "running; Ctrl-C stops"; wait; fi
