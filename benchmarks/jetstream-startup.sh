#!/usr/bin/env bash
# JetStream start-up with stored data, side by side (issue 17): benchmarks/jetstream-startup.sh
#
#   STREAMS=10 MSGS=102400 SIZE=1024 ROUNDS=3 benchmarks/jetstream-startup.sh   # the default: 10 x 100 MiB = 1 GiB
#
# For nats-server 2.9.10 (-js) and bin/nats-server (-js), each with a store directory of its own: fills STREAMS file
# streams S0..S<n-1> with MSGS messages of SIZE bytes (jsbench -mode fill), stops the server (SIGTERM), then
# ROUNDS times starts it on that directory and measures from the spawn the first INFO and the moment every stream
# answers $JS.API.STREAM.INFO with all its messages (jetstream_ready.py). Medians; ratio ours / nats-server (lower
# is better). Appends to benchmarks/results/jetstream-startup.txt. Needs ~2 x STREAMS x MSGS x SIZE of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib/processes.sh
STREAMS="${STREAMS:-10}"
MSGS="${MSGS:-102400}"
SIZE="${SIZE:-1024}"
ROUNDS="${ROUNDS:-3}"
PORT="${PORT:-24341}"
OURS="${OURS:-bin/nats-server}"
REF="${REF:-/usr/sbin/nats-server}"
BIN=/tmp/jsbench-bin/jsbench
[ -x "$REF" ] || { echo "jetstream-startup: $REF missing (Debian package nats-server)" >&2; exit 1; }
if [ ! -x "$BIN" ] || [ benchmarks/jsbench/jsbench.go -nt "$BIN" ]; then
  mkdir -p "$(dirname "$BIN")"
  GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/jsbench-gocache go build -o "$BIN" benchmarks/jsbench/jsbench.go
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is taken (set PORT)" >&2; exit 1; fi
stores=$(mktemp -d /tmp/jetstream-startup.XXXXXX)
pid=
trap '[ -n "$pid" ] && stop "$pid"; rm -rf "$stores"' EXIT

fill() { # fill EXE DIR
  "$1" -a 127.0.0.1 -p "$PORT" -js -sd "$2" >"$2.fill.log" 2>&1 &
  pid=$!
  require_port "$PORT"
  for k in $(seq 0 $((STREAMS - 1))); do
    "$BIN" -url "nats://127.0.0.1:$PORT" -mode fill -stream "S$k" -n "$MSGS" -size "$SIZE" -storage file >/dev/null
  done
  stop "$pid"; pid=
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'; }

mkdir -p "$stores/ref" "$stores/ours"
fill "$REF" "$stores/ref"
fill "$OURS" "$stores/ours"
load=$(cut -d' ' -f1 /proc/loadavg)
ri=(); ra=(); oi=(); oa=()
for _ in $(seq "$ROUNDS"); do
  r=$(python3 benchmarks/jetstream_ready.py "$REF" "$stores/ref" "$PORT" "$STREAMS" "$MSGS")
  o=$(python3 benchmarks/jetstream_ready.py "$OURS" "$stores/ours" "$PORT" "$STREAMS" "$MSGS")
  ri+=("$(jq -r .info_ms <<<"$r")"); ra+=("$(jq -r .all_streams_ms <<<"$r")")
  oi+=("$(jq -r .info_ms <<<"$o")"); oa+=("$(jq -r .all_streams_ms <<<"$o")")
done
a=$(printf '%s\n' "${ri[@]}" | median); b=$(printf '%s\n' "${oi[@]}" | median)
c=$(printf '%s\n' "${ra[@]}" | median); d=$(printf '%s\n' "${oa[@]}" | median)
{
  echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) streams=$STREAMS msgs=$MSGS size=${SIZE}B" \
       "($(du -sh "$stores/ref" | cut -f1) nats-server, $(du -sh "$stores/ours" | cut -f1) ours) rounds=$ROUNDS load(1m)=$load"
  printf "%-34s %12s %12s %7s\n" "from spawn (ms, lower is better)" nats-server nats-boot ratio
  printf "%-34s %12s %12s %7s\n" "first INFO" "$a" "$b" "$(ratio "$b" "$a")"
  printf "%-34s %12s %12s %7s\n" "every stream recovered" "$c" "$d" "$(ratio "$d" "$c")"
  echo "load(1m) after: $(cut -d' ' -f1 /proc/loadavg)"
} | tee -a benchmarks/results/jetstream-startup.txt
