#!/usr/bin/env bash
# WebSocket pub/sub side by side: NATS Boot's websocket listener against nats-server 2.9.10's, the same load
# generator (../shared/bench/natsbench.go, nats.go's ws:// transport) for both, rounds alternating.
#
#   benchmarks/websocket-side-by-side.sh                 # plain ws://, no compression
#   COMPRESSION=true benchmarks/websocket-side-by-side.sh   # the servers allow permessage-deflate (nats.go does
#                                                          # not ask for it unless told, so this changes little)
#   ROUNDS=5 WARMUP=0 benchmarks/websocket-side-by-side.sh
#
# Prints one line per scenario (nats-server figure, ours, ours/nats-server) and appends the table with the date,
# commit and load average to benchmarks/results/websocket-side-by-side.txt. Rates: higher is better; the req-rep
# rows are latencies: lower is better. The machine is shared: compare ratios, and look at the load column.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
shared_bench=${NATSBOOT_SHARED_BENCH:-$root/../shared/bench}
if [ ! -d "$shared_bench" ]; then
    origin=$(git -C "$root" config --get remote.origin.url 2>/dev/null || true)
    if [ -n "$origin" ] && [ -d "$origin/../shared/bench" ]; then shared_bench=$origin/../shared/bench; fi
fi
ROUNDS=${ROUNDS:-3}
COMPRESSION=${COMPRESSION:-false}
BIN=${NATSBENCH_BIN:-/tmp/natsbench-bin/natsbench}
command -v nats-server >/dev/null || { echo "needs nats-server (Debian package nats-server)" >&2; exit 1; }
command -v jq >/dev/null || { echo "needs jq (Debian package jq)" >&2; exit 1; }
if [ ! -x "$BIN" ] || [ "$shared_bench/natsbench.go" -nt "$BIN" ]; then
    mkdir -p "$(dirname "$BIN")"
    GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/natsbench-gocache go build -o "$BIN" "$shared_bench/natsbench.go"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
conf() { # port wsport
    printf 'listen: "127.0.0.1:%s"\nwebsocket {\n  listen: "127.0.0.1:%s"\n  no_tls: true\n  compression: %s\n}\n' \
        "$1" "$2" "$COMPRESSION"
}
ref_port=$(free_port); ref_ws=$(free_port); our_port=$(free_port); our_ws=$(free_port)
conf "$ref_port" "$ref_ws" >"$work/ref.conf"
conf "$our_port" "$our_ws" >"$work/ours.conf"
nats-server -c "$work/ref.conf" >"$work/ref.log" 2>&1 &
ref_pid=$!
"$root/bin/nats-server" -c "$work/ours.conf" >"$work/ours.log" 2>&1 &
our_pid=$!
trap 'kill $ref_pid $our_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for p in "$ref_ws" "$our_ws"; do
    for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null && break; sleep 0.1; done
done
REF="ws://127.0.0.1:$ref_ws"
OURS="ws://127.0.0.1:$our_ws"

scenarios=(
  "pub|-mode pub -n 1000000 -size 16|pub_msgs_per_sec"
  "pubsub-1:1|-mode pubsub -n 500000 -size 16 -subs 1|sub_msgs_per_sec"
  "fanout-1:4|-mode pubsub -n 200000 -size 16 -subs 4|sub_msgs_per_sec"
  "pubsub-1KiB|-mode pubsub -n 200000 -size 1024 -subs 1|sub_msgs_per_sec"
  "pubsub-64KiB|-mode pubsub -n 5000 -size 65536 -subs 1|sub_msgs_per_sec"
  "req-rep-p50-us|-mode req -n 3000 -size 16|p50_us"
  "req-rep-p99-us|-mode req -n 3000 -size 16|p99_us"
)
if [ "${WARMUP:-1}" != 0 ]; then
    for s in "${scenarios[@]}"; do
        IFS='|' read -r name args field <<<"$s"
        "$BIN" -s "$REF" $args >/dev/null 2>&1 || true; "$BIN" -s "$OURS" $args >/dev/null 2>&1 || true
    done
fi
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
load=$(cut -d' ' -f1 /proc/loadavg)
table=$(
    printf "%-16s %14s %14s %8s\n" scenario nats-server natsboot ratio
    for s in "${scenarios[@]}"; do
        IFS='|' read -r name args field <<<"$s"
        ra=(); ta=()
        for _ in $(seq "$ROUNDS"); do
            ra+=("$("$BIN" -s "$REF" $args | jq -r ".$field // 0" || echo 0)")
            ta+=("$("$BIN" -s "$OURS" $args | jq -r ".$field // 0" || echo 0)")
        done
        r=$(printf '%s\n' "${ra[@]}" | median); t=$(printf '%s\n' "${ta[@]}" | median)
        printf "%-16s %14.0f %14.0f %8.2f\n" "$name" "$r" "$t" "$(awk -v a="$t" -v b="$r" 'BEGIN{print (b>0)?a/b:0}')"
    done
)
echo "$table"
mkdir -p "$here/results"
{
    echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$root" rev-parse --short HEAD) compression=$COMPRESSION" \
        "rounds=$ROUNDS load(1m) before=$load after=$(cut -d' ' -f1 /proc/loadavg) cores=$(nproc)"
    echo "$table"
} >>"$here/results/websocket-side-by-side.txt"
