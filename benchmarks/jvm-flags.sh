#!/usr/bin/env bash
# JVM options for bin/nats-server compared by measurement: several instances of our server, one per set
# of options, all running at once, driven in turn by the shared load generator (natsbench).
#
#   benchmarks/jvm-flags.sh                        # the variants below, 3 rounds, median
#   ROUNDS=5 benchmarks/jvm-flags.sh
#   benchmarks/jvm-flags.sh "g1=" "parallel=-XX:-UseG1GC -XX:+UseParallelGC"   # your own: name=options
#
# Each variant is bin/nats-server with NATSBOOT_JAVA_OPTS=<options> (appended after the launcher's own,
# so they win) and NATSBOOT_CDS=off (the variants would otherwise fight over one class-data archive;
# CDS only changes start-up). Scenarios are the shared side-by-side ones (pubsub 1:1, fan-out 1:4, pubsub
# 1 KiB, request/reply p50 and p99). Rounds go round robin over the variants so machine drift hits all
# alike; one discarded warm-up pass first. After the runs the script reads each server's VmRSS and its
# used heap after a full GC. Appends the table to benchmarks/results/jvm-flags.txt with the load average.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
. "$here/lib/processes.sh"
rounds=${ROUNDS:-3}
base_port=${PORT:-24400}
out=$here/results/jvm-flags.txt
bin=${NATSBENCH_BIN:-/tmp/natsbench-bin/natsbench}
shared_bench=${NATSBOOT_SHARED_BENCH:-$root/../shared/bench}
if [ -z "${NATSBOOT_SHARED_BENCH:-}" ] && [ ! -d "$shared_bench" ]; then
    # A clone of the project checkout: the shared directory sits next to the checkout it was cloned from.
    origin=$(git -C "$root" config --get remote.origin.url 2>/dev/null || true)
    if [ -n "$origin" ] && [ -d "$origin/../shared/bench" ]; then shared_bench=$origin/../shared/bench; fi
fi

if [ ! -x "$bin" ]; then
    GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/natsbench-gocache \
        go build -o "$bin" "$shared_bench/natsbench.go"
fi
if [ $# -gt 0 ]; then
    variants=("$@")
else
    variants=(
        "g1 (shipped)="
        "g1 -Xms256m pretouch=-Xms256m -XX:+AlwaysPreTouch"
        "g1 no compact headers=-XX:-UseCompactObjectHeaders"
        "parallel=-XX:-UseG1GC -XX:+UseParallelGC"
        "serial=-XX:-UseG1GC -XX:+UseSerialGC"
    )
fi


ensure_built "$root"

names=() pids=() ports=()
cleanup() { for p in "${pids[@]}"; do stop "$p"; done; }
trap cleanup EXIT
i=0
for v in "${variants[@]}"; do
    name=${v%%=*}
    opts=${v#*=}
    port=$((base_port + i))
    NATSBOOT_CDS=off NATSBOOT_JAVA_OPTS="$opts" "$root/bin/nats-server" -a 127.0.0.1 -p "$port" \
        >"/tmp/natsboot-jvm-flags-$i.log" 2>&1 &
    pids+=($!)
    names+=("$name")
    ports+=("$port")
    i=$((i + 1))
done
for k in "${!pids[@]}"; do
    wait_port "${ports[$k]}" "${pids[$k]}" || { echo "jvm-flags: ${names[$k]} did not start:" >&2; \
        tail -5 "/tmp/natsboot-jvm-flags-$k.log" >&2; exit 1; }
done

scenarios=(
    "pubsub-1:1|-mode pubsub -n 1000000 -size 16 -subs 1|sub_msgs_per_sec"
    "fanout-1:4|-mode pubsub -n 500000 -size 16 -subs 4|sub_msgs_per_sec"
    "pubsub-1KiB|-mode pubsub -n 300000 -size 1024 -subs 1|sub_msgs_per_sec"
    "req-rep-p50-us|-mode req -n 5000 -size 16|p50_us"
    "req-rep-p99-us|-mode req -n 5000 -size 16|p99_us"
)
run() { "$bin" -s "nats://127.0.0.1:$1" $2 | sed -n 's/.*"'"$3"'":\([0-9.e+]*\).*/\1/p'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for s in "${scenarios[@]}"; do
    IFS='|' read -r sname args field <<<"$s"
    for k in "${!pids[@]}"; do run "${ports[$k]}" "$args" "$field" >/dev/null || true; done
done
header=$(printf '%-16s' scenario; for n in "${names[@]}"; do printf ' %24s' "$n"; done)
table=$header
echo "$header"
for s in "${scenarios[@]}"; do
    IFS='|' read -r sname args field <<<"$s"
    declare -A vals=()
    for _ in $(seq "$rounds"); do
        for k in "${!pids[@]}"; do
            vals[$k]+="$(run "${ports[$k]}" "$args" "$field" || echo 0) "
        done
    done
    line=$(printf '%-16s' "$sname"; for k in "${!pids[@]}"; do
        printf ' %24.0f' "$(printf '%s\n' ${vals[$k]} | median)"; done)
    echo "$line"
    table+=$'\n'"$line"
    unset vals
done
line=$(printf '%-16s' "rss-kib"; for k in "${!pids[@]}"; do
    printf ' %24s' "$(awk '/^VmRSS:/ { print $2 }' "/proc/${pids[$k]}/status")"; done)
echo "$line"
table+=$'\n'"$line"
jcmd=$(dirname "$(readlink -f "/proc/${pids[0]}/exe")")/jcmd
line=$(printf '%-16s' "heap-after-gc-kib"; for k in "${!pids[@]}"; do
    "$jcmd" "${pids[$k]}" GC.run >/dev/null 2>&1 || true
    printf ' %24s' "$("$jcmd" "${pids[$k]}" GC.heap_info 2>/dev/null | awk '/total/ { if (match($0, /used [0-9]+K/)) sum += substr($0, RSTART + 5, RLENGTH - 6) } END { print sum + 0 }')"; done)
echo "$line"
table+=$'\n'"$line"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$root" status --porcelain -- nats-server-core bin 2>/dev/null)" ] || commit+="-dirty"
mkdir -p "$(dirname "$out")"
{
    echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $commit rounds=$rounds load before: $load_before, after: $load_after"
    for k in "${!names[@]}"; do echo "#   ${names[$k]}: ${variants[$k]#*=}"; done
    echo "$table"
    echo
} >>"$out"
