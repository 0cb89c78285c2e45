#!/usr/bin/env bash
# Cross-node pub/sub through a route, side by side (issue 8): a two-node nats-server cluster, a two-node
# NATS Boot cluster and mixed pairs, on this machine, with one load generator (clusterbench.go). The
# publisher is on the first node, the subscriber on the second: every message crosses the route.
#
#   ./mvnw -q -pl nats-server-core -am package -DskipTests && benchmarks/cluster-side-by-side.sh
#   ROUNDS=5 benchmarks/cluster-side-by-side.sh
#
# Prints one line per pairing and payload size: nats-server-only figure, the pairing's figure, the ratio (medians
# over ROUNDS, a round whose subscriber was cut counting as 0) and how many rounds were cut, for the pairing and
# for the nats-server pair. A nats-server node never stalls a route that delivers to it (only client
# producers), so when the publishing node sends faster than the subscriber reads, the receiving nats-server
# cuts its subscriber at max_pending (64 MiB): nats-server pairs do it too at 1 KiB on this machine.
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
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# node <impl> <client port> <cluster port> [route port]
node() {
  local exe=nats-server; [ "$1" = ours ] && exe=$OURS
  local args=(-a 127.0.0.1 -p "$2" --cluster "nats://127.0.0.1:$3" --cluster_name BENCH)
  [ -n "${4:-}" ] && args+=(--routes "nats://127.0.0.1:$4")
  "$exe" "${args[@]}" >"/tmp/cluster-bench-$2.log" 2>&1 &
  pids+=($!)
  require_port "$2"
}
node go 14301 14401;   node go 14302 14402 14401      # nats-server -> nats-server
node ours 14311 14411; node ours 14312 14412 14411    # NATS Boot -> NATS Boot
node ours 14321 14421; node go 14322 14422 14421      # NATS Boot publisher node -> nats-server subscriber node
node go 14331 14431;   node ours 14332 14432 14431    # nats-server publisher node -> NATS Boot subscriber node
sleep 2
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One round's subscriber rate; 0 when the subscriber was cut (clusterbench then exits non-zero).
run() {
  local v
  v=$("$BIN" -pub "nats://127.0.0.1:$1" -sub "nats://127.0.0.1:$2" $3 | jq -r '.sub_msgs_per_sec // 0') || true
  echo "${v:-0}"
}
for sizes in "-n 1000000 -size 16" "-n 200000 -size 1024"; do
  "$BIN" -pub nats://127.0.0.1:14311 -sub nats://127.0.0.1:14312 $sizes >/dev/null 2>&1 || true  # JIT warm-up
  "$BIN" -pub nats://127.0.0.1:14321 -sub nats://127.0.0.1:14322 $sizes >/dev/null 2>&1 || true
  "$BIN" -pub nats://127.0.0.1:14331 -sub nats://127.0.0.1:14332 $sizes >/dev/null 2>&1 || true
  ref=(); o=(); m1=(); m2=()
  for _ in $(seq "$ROUNDS"); do
    ref+=("$(run 14301 14302 "$sizes")")
    o+=("$(run 14311 14312 "$sizes")")
    m1+=("$(run 14321 14322 "$sizes")")
    m2+=("$(run 14331 14332 "$sizes")")
  done
  r=$(printf '%s\n' "${ref[@]}" | median)
  cuts() { local c=0 v; for v in "$@"; do [ "${v%.*}" = 0 ] && c=$((c + 1)); done; echo "$c/$#"; }
  rcut=$(cuts "${ref[@]}")
  for pair in "ours->ours:${o[*]}" "ours->go:${m1[*]}" "go->ours:${m2[*]}"; do
    name=${pair%%:*}; vals=${pair#*:}
    t=$(printf '%s\n' $vals | median)
    # shellcheck disable=SC2086
    printf "%-22s %-12s %12.0f %12.0f %6.2f  cut %s (go->go cut %s)\n" "route pubsub ${sizes##* }B" "$name" \
      "$r" "$t" "$(awk -v a="$t" -v b="$r" 'BEGIN{print (b>0)?a/b:0}')" "$(cuts $vals)" "$rcut"
  done
done
