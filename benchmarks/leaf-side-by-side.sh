#!/usr/bin/env bash
# Leaf -> hub pub/sub throughput, side by side (issue 19): a nats-server leaf on a nats-server hub, NATS Boot on
# NATS Boot, and the two mixed pairs, on this machine, with one load generator (clusterbench.go). The publisher
# is a client of the leaf, the subscriber a client of the hub: every message crosses the leaf connection (LMSG).
#
#   ./mvnw -q -pl nats-server-core -am package -DskipTests && benchmarks/leaf-side-by-side.sh
#   ROUNDS=5 benchmarks/leaf-side-by-side.sh
#
# Prints one line per pairing (leaf->hub) and payload size: the nats-server-only figure, the pairing's figure
# and the ratio, and the load average when the run ended (the machine may be shared).
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
OURS="${OURS:-bin/nats-server}"  # another build: OURS=/path/to/bin/nats-server
DIR=$(mktemp -d /tmp/leaf-bench.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$DIR"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # start <impl> <conf> <client port>
  local exe=/usr/sbin/nats-server; [ "$1" = ours ] && exe=$OURS
  "$exe" -c "$2" >"$2.log" 2>&1 &
  pids+=($!)
  require_port "$3"
}
# pair <name> <hub impl> <leaf impl>: sets HUB_<name> and LEAF_<name> to the client ports
pair() {
  local hp lp cp; hp=$(free_port); lp=$(free_port); cp=$(free_port)
  printf 'listen: "127.0.0.1:%s"\nleafnodes { listen: "127.0.0.1:%s" }\n' "$hp" "$lp" >"$DIR/$1-hub.conf"
  printf 'listen: "127.0.0.1:%s"\nleafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:%s" } ] }\n' "$cp" "$lp" \
    >"$DIR/$1-leaf.conf"
  start "$2" "$DIR/$1-hub.conf" "$hp"
  start "$3" "$DIR/$1-leaf.conf" "$cp"
  printf -v "HUB_$1" '%s' "$hp"; printf -v "LEAF_$1" '%s' "$cp"
}
pair gg go go; pair oo ours ours; pair og go ours; pair go ours go
sleep 2  # the leaf connections are up ~immediately; interest is sent by the load generator's subscriber first
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { "$BIN" -timeout 30s -pub "nats://127.0.0.1:$1" -sub "nats://127.0.0.1:$2" $3 | jq -r '.sub_msgs_per_sec // 0' || echo 0; }
for sizes in "-n 1000000 -size 16" "-n 200000 -size 1024"; do
  for p in oo og go; do  # JIT warm-up of our nodes
    l="LEAF_$p"; h="HUB_$p"; "$BIN" -pub "nats://127.0.0.1:${!l}" -sub "nats://127.0.0.1:${!h}" $sizes >/dev/null 2>&1 || true
  done
  ref=(); o=(); m1=(); m2=()
  for _ in $(seq "$ROUNDS"); do
    ref+=("$(run "$LEAF_gg" "$HUB_gg" "$sizes")")
    o+=("$(run "$LEAF_oo" "$HUB_oo" "$sizes")")
    m1+=("$(run "$LEAF_og" "$HUB_og" "$sizes")")
    m2+=("$(run "$LEAF_go" "$HUB_go" "$sizes")")
  done
  r=$(printf '%s\n' "${ref[@]}" | median)
  for row in "ours->ours:${o[*]}" "ours->go:${m1[*]}" "go->ours:${m2[*]}"; do
    name=${row%%:*}; vals=${row#*:}
    t=$(printf '%s\n' $vals | median)
    printf "%-22s %-12s %12.0f %12.0f %6.2f\n" "leaf->hub ${sizes##* }B" "$name" "$r" "$t" \
      "$(awk -v a="$t" -v b="$r" 'BEGIN{print (b>0)?a/b:0}')"
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
