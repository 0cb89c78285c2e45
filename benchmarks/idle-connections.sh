#!/usr/bin/env bash
# Resident memory per idle client connection: NATS Boot (bin/nats-server) against nats-server, same run.
#
#   benchmarks/idle-connections.sh               # 10,000 connections
#   CONNS=2000 benchmarks/idle-connections.sh    # fewer
#   NATSBOOT_JAVA_OPTS="-XX:+UseSerialGC" benchmarks/idle-connections.sh   # JVM options for our server
#
# For each server: start it, let it settle, read VmRSS from /proc/<pid>/status, open CONNS raw client
# connections (benchmarks/idle_clients.py: INFO, CONNECT, PING, PONG; then they stay open and answer
# PINGs), let it settle again, read VmRSS, close the clients, stop the server. Prints one line per server
# with the RSS before and after and (after - before) / CONNS. For our server a full GC (jcmd GC.run) runs
# before the first reading, and after the second one the script reads RSS and the used Java heap after
# another full GC: the heap growth per connection is the live Java state a connection costs.
# Appends the lines to benchmarks/results/idle-connections.txt with date, commit and load average.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
. "$here/lib/processes.sh"
conns=${CONNS:-10000}
settle=${SETTLE:-5}
ours_port=${PORT:-24333}
ref_port=${REF_PORT:-14333}
out=$here/results/idle-connections.txt

# Both servers and the client hold one descriptor per connection.
need=$((conns + 512))
if [ "$(ulimit -n)" -lt "$need" ]; then
    ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" -lt "$need" ]; then
    echo "idle-connections: ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)), need $need" >&2
    exit 1
fi

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

jcmd_of() { # the jcmd of the JDK the server runs on
    local j
    j=$(dirname "$(readlink -f "/proc/$1/exe")")/jcmd
    if [ -x "$j" ]; then echo "$j"; else echo jcmd; fi
}
full_gc() { "$(jcmd_of "$1")" "$1" GC.run >/dev/null 2>&1 || true; sleep 1; }
heap_used_kib() { # the sum of "used NK" over the lines with totals: one for G1, young + old for Parallel/Serial
    "$(jcmd_of "$1")" "$1" GC.heap_info 2>/dev/null | awk '/total/ { if (match($0, /used [0-9]+K/)) sum += substr($0, RSTART + 5, RLENGTH - 6) } END { print sum + 0 }'
}

measure() { # name port pid
    local name=$1 port=$2 pid=$3 before after client_pid fifo ready extra="" heap_before=0
    wait_port "$port" "$pid" || { echo "idle-connections: $name did not open port $port" >&2; exit 1; }
    sleep "$settle"
    if [ "$name" = natsboot ]; then
        full_gc "$pid"
        heap_before=$(heap_used_kib "$pid")
    fi
    before=$(rss_kib "$pid")
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    # The client holds its connections until its stdin (the fifo) closes.
    python3 "$here/idle_clients.py" 127.0.0.1 "$port" "$conns" <"$fifo" >"$fifo.out" &
    client_pid=$!
    exec 7>"$fifo"
    for _ in $(seq 1200); do
        grep -q '^ready' "$fifo.out" 2>/dev/null && break
        kill -0 "$client_pid" 2>/dev/null || break
        sleep 0.1
    done
    ready=$(cat "$fifo.out" 2>/dev/null || true)
    if [ -z "$ready" ]; then
        exec 7>&-
        wait "$client_pid" || true
        rm -f "$fifo" "$fifo.out"
        echo "idle-connections: clients did not get ready against $name" >&2
        exit 1
    fi
    sleep "$settle"
    after=$(rss_kib "$pid")
    if [ "$name" = natsboot ]; then
        local gc_rss heap
        full_gc "$pid"
        gc_rss=$(rss_kib "$pid")
        heap=$(heap_used_kib "$pid")
        extra=$(awk -v g="$gc_rss" -v h="$heap" -v h0="$heap_before" -v c="$conns" 'BEGIN {
            printf " rss_after_full_gc_kib=%d heap_used_kib=%d->%d heap_per_conn_bytes=%.0f", g, h0, h, (h - h0) * 1024 / c }')
    fi
    exec 7>&-
    wait "$client_pid" 2>/dev/null || true
    rm -f "$fifo" "$fifo.out"
    awk -v n="$name" -v c="$conns" -v b="$before" -v a="$after" -v r="$ready" -v x="$extra" 'BEGIN {
        split(r, p, " ");
        printf "%-9s conns=%d rss_before_kib=%d rss_after_kib=%d per_conn_bytes=%.0f connect_s=%s%s\n",
            n, c, b, a, (a - b) * 1024 / c, p[3], x }'
}


ensure_built "$root"

load=$(cut -d' ' -f1-3 /proc/loadavg)
results=()

nats-server -a 127.0.0.1 -p "$ref_port" >/tmp/natsboot-idle-ref.log 2>&1 &
ref_pid=$!
trap 'stop $ref_pid' EXIT
results+=("$(measure nats-server "$ref_port" "$ref_pid")")
stop "$ref_pid"
echo "${results[-1]}"

"$root/bin/nats-server" -a 127.0.0.1 -p "$ours_port" >/tmp/natsboot-idle-ours.log 2>&1 &
ours_pid=$!
trap 'stop $ours_pid' EXIT
results+=("$(measure natsboot "$ours_port" "$ours_pid")")
stop "$ours_pid"
echo "${results[-1]}"

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$root" status --porcelain -- nats-server-core bin 2>/dev/null)" ] || commit+="-dirty"
mkdir -p "$(dirname "$out")"
{
    echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $commit load=$load NATSBOOT_JAVA_OPTS=${NATSBOOT_JAVA_OPTS:-}"
    printf '%s\n' "${results[@]}"
} >>"$out"
