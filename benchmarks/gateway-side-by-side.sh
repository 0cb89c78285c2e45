#!/usr/bin/env bash
# Cross-cluster pub/sub through a gateway, side by side (issue 19): pairs of one-node clusters joined by
# gateways, nats-server with nats-server, NATS Boot with NATS Boot and the mixed pairings, on this machine with
# one load generator (clusterbench.go, as cluster-side-by-side.sh). The publisher is on cluster A's node, the
# subscriber on cluster B's: every message crosses the gateway (A's outbound connection to B).
#
#   ./mvnw -q -pl nats-server-core -am package -DskipTests && benchmarks/gateway-side-by-side.sh
#   ROUNDS=5 benchmarks/gateway-side-by-side.sh
#
# Prints one line per pairing and payload size: the nats-server pair's figure, the pairing's figure, the ratio,
# and the load average when the line was printed (the machine may be shared: the reference runs in the same run).
# Then request/reply (rrbench.go): requester in A, responder in B, one request at a time: requests per second and
# p50/p99 round trip, ratio of requests per second.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib/processes.sh
ROUNDS="${ROUNDS:-3}"
BIN=/tmp/clusterbench-bin/clusterbench
if [ ! -x "$BIN" ] || [ benchmarks/clusterbench/clusterbench.go -nt "$BIN" ]; then
  mkdir -p "$(dirname "$BIN")"
  GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/clusterbench-gocache go build -o "$BIN" \
    benchmarks/clusterbench/clusterbench.go
fi
RR=/tmp/rrbench-bin/rrbench
if [ ! -x "$RR" ] || [ benchmarks/rrbench/rrbench.go -nt "$RR" ]; then
  mkdir -p "$(dirname "$RR")"
  GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/clusterbench-gocache go build -o "$RR" \
    benchmarks/rrbench/rrbench.go
fi
OURS="${OURS:-bin/nats-server}"  # another build: OURS=/path/to/bin/nats-server
DIR=$(mktemp -d /tmp/gateway-bench.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$DIR"' EXIT
# node <impl> <gateway name> <client port> <gateway port> <remote name> <remote gateway port>
node() {
  local exe=nats-server; [ "$1" = ours ] && exe=$OURS
  local conf="$DIR/$3.conf"
  cat >"$conf" <<CONF
listen: "127.0.0.1:$3"
server_name: "$2-$3"
gateway {
  name: $2
  listen: "127.0.0.1:$4"
  gateways: [ { name: $5, url: "nats://127.0.0.1:$6" } ]
}
CONF
  "$exe" -c "$conf" >"$DIR/$3.log" 2>&1 &
  pids+=($!)
  require_port "$3"
}
pair() { # <impl A> <impl B> <client port A> <client port B>
  node "$1" A "$3" $(( $3 + 100 )) B $(( $4 + 100 ))
  node "$2" B "$4" $(( $4 + 100 )) A $(( $3 + 100 ))
}
pair go go 14501 14502       # nats-server -> nats-server
pair ours ours 14511 14512   # NATS Boot -> NATS Boot
pair ours go 14521 14522     # NATS Boot publisher's cluster -> nats-server subscriber's cluster
pair go ours 14531 14532     # nats-server publisher's cluster -> NATS Boot subscriber's cluster
sleep 3                      # gateways are dialled 1 s after start
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { "$BIN" -pub "nats://127.0.0.1:$1" -sub "nats://127.0.0.1:$2" $3 | jq -r '.sub_msgs_per_sec // 0' || echo 0; }
for sizes in "-n 1000000 -size 16" "-n 200000 -size 1024"; do
  for p in 14511 14521 14531; do  # JIT warm-up
    "$BIN" -pub "nats://127.0.0.1:$p" -sub "nats://127.0.0.1:$(( p + 1 ))" $sizes >/dev/null 2>&1 || true
  done
  ref=(); o=(); m1=(); m2=()
  for _ in $(seq "$ROUNDS"); do
    ref+=("$(run 14501 14502 "$sizes")")
    o+=("$(run 14511 14512 "$sizes")")
    m1+=("$(run 14521 14522 "$sizes")")
    m2+=("$(run 14531 14532 "$sizes")")
  done
  r=$(printf '%s\n' "${ref[@]}" | median)
  for pairing in "ours->ours:${o[*]}" "ours->go:${m1[*]}" "go->ours:${m2[*]}"; do
    name=${pairing%%:*}; vals=${pairing#*:}
    t=$(printf '%s\n' $vals | median)
    printf "%-24s %-10s %12.0f %12.0f %6.2f  load %s\n" "gateway pubsub ${sizes##* }B" "$name" "$r" "$t" \
      "$(awk -v a="$t" -v b="$r" 'BEGIN{print (b>0)?a/b:0}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
rr() { "$RR" -req "nats://127.0.0.1:$1" -rep "nats://127.0.0.1:$2" -n 20000 || echo '{"req_per_sec":0,"p50_us":0,"p99_us":0}'; }
refs=(); declare -A res
for _ in $(seq "$ROUNDS"); do
  refs+=("$(rr 14501 14502)")
  res[ours-ours]+="$(rr 14511 14512)"$'\n'
  res[ours-go]+="$(rr 14521 14522)"$'\n'
  res[go-ours]+="$(rr 14531 14532)"$'\n'
done
pick() { jq -s "sort_by(.req_per_sec) | .[(length-1)/2|floor]"; }  # the median round by requests per second
ref=$(printf '%s\n' "${refs[@]}" | pick)
for name in ours-ours ours-go go-ours; do
  t=$(printf '%s' "${res[$name]}" | pick)
  printf "%-24s %-10s %10.0f %10.0f %6.2f  p50 %s/%s us  p99 %s/%s us  load %s\n" "gateway request/reply" \
    "${name/-/->}" "$(jq .req_per_sec <<<"$ref")" "$(jq .req_per_sec <<<"$t")" \
    "$(jq -n --argjson a "$(jq .req_per_sec <<<"$t")" --argjson b "$(jq .req_per_sec <<<"$ref")" 'if $b > 0 then $a/$b else 0 end')" \
    "$(jq .p50_us <<<"$ref")" "$(jq .p50_us <<<"$t")" "$(jq .p99_us <<<"$ref")" "$(jq .p99_us <<<"$t")" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
done
