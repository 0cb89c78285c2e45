#!/usr/bin/env bash
# Throughput versus number of subscribers and of publishing connections, NATS Boot against nats-server
# in the same run, with one load generator (benchmarks/scaling/scalebench.go, Go nats client).
#
#   benchmarks/scaling.sh                  # 16 B payloads, 3 rounds, median; ~4 minutes
#   ROUNDS=5 SIZE=1024 benchmarks/scaling.sh
#   NATSBOOT_JAVA_OPTS="-XX:+UseParallelGC" benchmarks/scaling.sh   # JVM options for our server
#
# Cases: 1 publisher to 1, 4, 16 and 64 subscribers (delivered msgs/s, all subscribers together);
# 1, 2 and 4 publishers to 1 subscriber (delivered msgs/s); 1, 2 and 4 publishers, no subscriber
# (published msgs/s). One discarded warm-up pass over all cases on both servers, then ROUNDS rounds that
# alternate reference and target; each cell is the median. Appends the table to
# benchmarks/results/scaling.txt with date, commit and the load average before and after.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
. "$here/lib/processes.sh"
rounds=${ROUNDS:-3}
size=${SIZE:-16}
ours_port=${PORT:-24336}
ref_port=${REF_PORT:-14336}
out=$here/results/scaling.txt
bin=${SCALEBENCH_BIN:-/tmp/natsboot-scalebench/scalebench}

if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/nats-io/nats.go ]; then
    echo "scaling: needs go and the Go NATS client: apt-get install golang-go golang-github-nats-io-go-nats-dev" >&2
    exit 1
fi
if [ ! -x "$bin" ] || [ "$here/scaling/scalebench.go" -nt "$bin" ]; then
    mkdir -p "$(dirname "$bin")"
    GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/natsboot-scalebench/gocache \
        go build -o "$bin" "$here/scaling/scalebench.go"
fi


ensure_built "$root"

nats-server -a 127.0.0.1 -p "$ref_port" >/tmp/natsboot-scaling-ref.log 2>&1 &
ref_pid=$!
"$root/bin/nats-server" -a 127.0.0.1 -p "$ours_port" >/tmp/natsboot-scaling-ours.log 2>&1 &
ours_pid=$!
trap 'stop $ref_pid; stop $ours_pid' EXIT
wait_port "$ref_port" "$ref_pid" && wait_port "$ours_port" "$ours_pid" \
    || { echo "scaling: a server did not start" >&2; exit 1; }

# name|scalebench arguments|JSON field
cases=(
    "1 pub -> 1 sub|-pubs 1 -subs 1 -n 2000000|delivered_msgs_per_sec"
    "1 pub -> 4 subs|-pubs 1 -subs 4 -n 500000|delivered_msgs_per_sec"
    "1 pub -> 16 subs|-pubs 1 -subs 16 -n 125000|delivered_msgs_per_sec"
    "1 pub -> 64 subs|-pubs 1 -subs 64 -n 40000|delivered_msgs_per_sec"
    "2 pubs -> 1 sub|-pubs 2 -subs 1 -n 2000000|delivered_msgs_per_sec"
    "4 pubs -> 1 sub|-pubs 4 -subs 1 -n 2000000|delivered_msgs_per_sec"
    "1 pub, no sub|-pubs 1 -subs 0 -n 4000000|pub_msgs_per_sec"
    "2 pubs, no sub|-pubs 2 -subs 0 -n 4000000|pub_msgs_per_sec"
    "4 pubs, no sub|-pubs 4 -subs 0 -n 4000000|pub_msgs_per_sec"
)
run() { # url args field
    "$bin" -s "$1" $2 -size "$size" | sed -n 's/.*"'"$3"'":\([0-9.e+]*\).*/\1/p'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in "${cases[@]}"; do
    IFS='|' read -r name args field <<<"$c"
    run "nats://127.0.0.1:$ref_port" "$args" "$field" >/dev/null || true
    run "nats://127.0.0.1:$ours_port" "$args" "$field" >/dev/null || true
done
table=$(printf '%-18s %14s %14s %7s\n' case nats-server natsboot ratio)
for c in "${cases[@]}"; do
    IFS='|' read -r name args field <<<"$c"
    refs=() ours=()
    for _ in $(seq "$rounds"); do
        refs+=("$(run "nats://127.0.0.1:$ref_port" "$args" "$field" || echo 0)")
        ours+=("$(run "nats://127.0.0.1:$ours_port" "$args" "$field" || echo 0)")
    done
    r=$(printf '%s\n' "${refs[@]}" | median)
    t=$(printf '%s\n' "${ours[@]}" | median)
    line=$(awk -v n="$name" -v r="${r:-0}" -v t="${t:-0}" 'BEGIN { printf "%-18s %14.0f %14.0f %7.2f", n, r, t, (r > 0) ? t / r : 0 }')
    echo "$line"
    table+=$'\n'"$line"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$root" status --porcelain -- nats-server-core bin 2>/dev/null)" ] || commit+="-dirty"
mkdir -p "$(dirname "$out")"
{
    echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $commit size=$size rounds=$rounds load before: $load_before, after: $load_after; NATSBOOT_JAVA_OPTS=${NATSBOOT_JAVA_OPTS:-}"
    echo "$table"
    echo
} >>"$out"
