#!/usr/bin/env bash
# JetStream side by side: NATS Boot (bin/nats-server -js) against nats-server -js, in the same run, with one
# load generator (jsbench/jsbench.go, nats.go from the Debian golang-github-nats-io-go-nats-dev package).
#
#   ./mvnw -q -pl nats-server-core -am package -DskipTests && benchmarks/jetstream-side-by-side.sh
#   ROUNDS=5 SYNC_N=10000 ASYNC_N=200000 CONSUME_N=200000 REPLAY_N=1000000 KV_N=20000 benchmarks/jetstream-side-by-side.sh
#   STORAGES=file MODES="sync async consume" benchmarks/jetstream-side-by-side.sh   # a subset of the rows
#   WARMUP=3 benchmarks/jetstream-side-by-side.sh   # JIT warm-up passes on ours per row (default 1)
#
# Per storage (file, memory): synchronous publish (each waits for its PubAck: msgs/s, p50/p99 latency), async
# publish (4000 in flight at most: msgs/s), pull consume with explicit acks (batches of 256: msgs/s), ordered
# push consumer replay of REPLAY_N (1,000,000) stored messages (msgs/s), KV put and get on 1,000 keys (ops/s,
# p50/p99). Each
# run uses a fresh stream; both servers get a store directory of their own (removed at the end). One JIT
# warm-up pass on ours, then ROUNDS rounds alternating the servers; medians. Ratios are ours / nats-server
# (rates: higher is better; latencies: lower is better). The 1-minute load average is printed with the run:
# the machine is shared, read the ratios. Appends the table to benchmarks/results/jetstream-side-by-side.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib/processes.sh
ROUNDS="${ROUNDS:-3}"
SYNC_N="${SYNC_N:-5000}"
ASYNC_N="${ASYNC_N:-100000}"
CONSUME_N="${CONSUME_N:-100000}"
REPLAY_N="${REPLAY_N:-1000000}"
KV_N="${KV_N:-20000}"
STORAGES="${STORAGES:-file memory}"
MODES="${MODES:-sync async consume replay kvput kvget}"
WARMUP="${WARMUP:-1}"
SIZE="${SIZE:-128}"
REF_PORT="${REF_PORT:-24331}"
OUR_PORT="${OUR_PORT:-24332}"
OURS="${OURS:-bin/nats-server}"
REF="${REF:-/usr/sbin/nats-server}"
BIN=/tmp/jsbench-bin/jsbench
[ -x "$REF" ] || { echo "jetstream-side-by-side: $REF missing (Debian package nats-server)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jetstream-side-by-side: jq missing (Debian package jq)" >&2; exit 1; }
if [ ! -x "$BIN" ] || [ benchmarks/jsbench/jsbench.go -nt "$BIN" ]; then
  [ -d /usr/share/gocode/src/github.com/nats-io/nats.go ] || {
    echo "jetstream-side-by-side: nats.go missing (Debian package golang-github-nats-io-go-nats-dev)" >&2; exit 1; }
  mkdir -p "$(dirname "$BIN")"
  GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/jsbench-gocache go build -o "$BIN" benchmarks/jsbench/jsbench.go
fi
for p in "$REF_PORT" "$OUR_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is taken (set REF_PORT/OUR_PORT)" >&2; exit 1; fi
done
stores=$(mktemp -d /tmp/jetstream-side-by-side.XXXXXX)
table=$stores/table.txt
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$stores"
}
trap cleanup EXIT
"$REF" -a 127.0.0.1 -p "$REF_PORT" -js -sd "$stores/ref" >"$stores/ref.log" 2>&1 &
pids+=($!)
"$OURS" -a 127.0.0.1 -p "$OUR_PORT" -js -sd "$stores/ours" >"$stores/ours.log" 2>&1 &
pids+=($!)
require_port "$REF_PORT"; require_port "$OUR_PORT"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bench() { "$BIN" -url "nats://127.0.0.1:$1" -mode "$2" -storage "$3" -n "$4" -size "$SIZE"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'; }
load=$(cut -d' ' -f1 /proc/loadavg)
{
  echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) rounds=$ROUNDS warmup=$WARMUP size=${SIZE}B load(1m)=$load cores=$(nproc)"
  printf "%-28s %14s %14s %7s\n" scenario nats-server nats-boot ratio
} >"$table"
for storage in $STORAGES; do
  for mode in $MODES; do
    case "$mode" in
      sync) n=$SYNC_N ;; async) n=$ASYNC_N ;; consume) n=$CONSUME_N ;; replay) n=$REPLAY_N ;; *) n=$KV_N ;;
    esac
    latency=false; case "$mode" in sync|kvput|kvget) latency=true ;; esac
    for _ in $(seq "$WARMUP"); do bench "$OUR_PORT" "$mode" "$storage" "$n" >/dev/null; done   # JIT warm-up of ours
    ref=(); ours=(); rp50=(); op50=(); rp99=(); op99=()
    for _ in $(seq "$ROUNDS"); do
      r=$(bench "$REF_PORT" "$mode" "$storage" "$n"); o=$(bench "$OUR_PORT" "$mode" "$storage" "$n")
      ref+=("$(jq -r .msgs_per_sec <<<"$r")"); ours+=("$(jq -r .msgs_per_sec <<<"$o")")
      if [ "$latency" = true ]; then
        rp50+=("$(jq -r .p50_us <<<"$r")"); op50+=("$(jq -r .p50_us <<<"$o")")
        rp99+=("$(jq -r .p99_us <<<"$r")"); op99+=("$(jq -r .p99_us <<<"$o")")
      fi
    done
    rm=$(printf '%s\n' "${ref[@]}" | median); om=$(printf '%s\n' "${ours[@]}" | median)
    unit="msgs/s"; case "$mode" in kv*) unit="ops/s" ;; esac
    printf "%-28s %14.0f %14.0f %7s\n" "$storage $mode $unit" "$rm" "$om" "$(ratio "$om" "$rm")" >>"$table"
    if [ "$latency" = true ]; then
      a=$(printf '%s\n' "${rp50[@]}" | median); b=$(printf '%s\n' "${op50[@]}" | median)
      printf "%-28s %14.1f %14.1f %7s\n" "$storage $mode p50 us (lower)" "$a" "$b" "$(ratio "$b" "$a")" >>"$table"
      a=$(printf '%s\n' "${rp99[@]}" | median); b=$(printf '%s\n' "${op99[@]}" | median)
      printf "%-28s %14.1f %14.1f %7s\n" "$storage $mode p99 us (lower)" "$a" "$b" "$(ratio "$b" "$a")" >>"$table"
    fi
  done
done
echo "load(1m) after: $(cut -d' ' -f1 /proc/loadavg)" >>"$table"
cat "$table"
mkdir -p benchmarks/results
cat "$table" >>benchmarks/results/jetstream-side-by-side.txt
