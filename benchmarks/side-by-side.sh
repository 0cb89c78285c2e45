#!/usr/bin/env bash
# Side-by-side run of NATS Boot against nats-server, recorded.
#
#   benchmarks/side-by-side.sh            # from anywhere; our server on 127.0.0.1:24222
#   PORT=4333 benchmarks/side-by-side.sh  # another port
#   ROUNDS=5 WARMUP=0 benchmarks/side-by-side.sh   # passed through to the shared script
#
# Builds the core jar if it is missing, starts our standalone server (bin/nats-server when present, else
# java -jar on the core jar), waits for its port, runs ../shared/bench/side-by-side.sh against it (that
# script starts the reference nats-server itself, warms both up, then runs 3 alternating rounds), stops our
# server, and records the run:
#   benchmarks/results/side-by-side.csv   one row per run: date, commit, the seven target/nats-server ratios,
#                                         the 1-minute load average before the run
#   benchmarks/results/side-by-side-runs.txt  the full table of each run (reference and target figures)
# Rates: higher is better. The two req-rep rows are latencies: lower is better.
# `python3 benchmarks/plot-results.py` draws the CSV into docs/performance-ratios.png.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
shared_bench=${NATSBOOT_SHARED_BENCH:-$root/../shared/bench}
if [ -z "${NATSBOOT_SHARED_BENCH:-}" ] && [ ! -d "$shared_bench" ]; then
    # A clone of the project checkout: the shared directory sits next to the checkout it was cloned from.
    origin=$(git -C "$root" config --get remote.origin.url 2>/dev/null || true)
    if [ -n "$origin" ] && [ -d "$origin/../shared/bench" ]; then shared_bench=$origin/../shared/bench; fi
fi
port=${PORT:-24222}
results=$here/results
csv=$results/side-by-side.csv
runlog=$results/side-by-side-runs.txt
server_log=${TMPDIR:-/tmp}/natsboot-side-by-side-server.log
scenarios=(pub pubsub-1:1 fanout-1:4 queue-4 pubsub-1KiB req-rep-p50-us req-rep-p99-us)

[ -x "$shared_bench/side-by-side.sh" ] || { echo "side-by-side: $shared_bench/side-by-side.sh not found" >&2; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "side-by-side: something already listens on 127.0.0.1:$port (set PORT)" >&2
    exit 1
fi

# --- build -------------------------------------------------------------------------------------------
core_jar() {
    local j
    for j in "$root"/nats-server-core/target/nats-server-core-*.jar; do
        case "$j" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
        [ -f "$j" ] && { printf '%s' "$j"; return; }
    done
}
if [ -z "$(core_jar)" ] || [ ! -d "$root/nats-server-core/target/lib" ]; then
    echo "side-by-side: building nats-server-core ..." >&2
    (cd "$root" && ./mvnw -q -pl nats-server-core -am package -DskipTests)
fi
jar=$(core_jar)
[ -n "$jar" ] || { echo "side-by-side: no nats-server-core jar after the build" >&2; exit 1; }

# --- start our server --------------------------------------------------------------------------------
if [ -x "$root/bin/nats-server" ]; then
    launcher=bin/nats-server
    "$root/bin/nats-server" -a 127.0.0.1 -p "$port" >"$server_log" 2>&1 &
else
    launcher="java -jar $(basename "$jar")"
    # G1 with a pre-touched heap: the server keeps message bytes in pooled direct buffers, so the heap stays
    # small and steady; pre-touching keeps page faults out of the measured rounds.
    java -XX:+UseG1GC -Xms256m -Xmx1g -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError \
        -jar "$jar" -a 127.0.0.1 -p "$port" >"$server_log" 2>&1 &
fi
server_pid=$!
stop_server() {
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
}
trap stop_server EXIT

up=false
for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=true; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$up" != true ]; then
    echo "side-by-side: our server did not open 127.0.0.1:$port; its log ($server_log):" >&2
    tail -n 20 "$server_log" >&2 || true
    exit 1
fi

# --- run ---------------------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
out=$(mktemp)
trap 'stop_server; rm -f "$out"' EXIT
"$shared_bench/side-by-side.sh" "nats://127.0.0.1:$port" | tee "$out"
stop_server

# --- record ------------------------------------------------------------------------------------------
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
# Uncommitted changes to what the server is built from make the commit alone not name the code measured.
if [ -n "$(git -C "$root" status --porcelain -- nats-server-core bin pom.xml 2>/dev/null)" ]; then
    commit+="-dirty"
fi
row="$date,$commit"
for s in "${scenarios[@]}"; do
    ratio=$(awk -v s="$s" '$1 == s { print $4 }' "$out")
    if [ -z "$ratio" ]; then
        echo "side-by-side: no result for scenario $s; nothing recorded" >&2
        exit 1
    fi
    row+=",$ratio"
done
row+=",${load_before%% *}"
mkdir -p "$results"
if [ ! -s "$csv" ]; then
    (IFS=,; echo "date,commit,${scenarios[*]},load_before") >"$csv"
fi
echo "$row" >>"$csv"
java_line=$(grep -m1 -o 'NATS Boot: .*' "$server_log" || true)
{
    echo "## $date $commit ($launcher; ${java_line:-version not logged}; $(nproc) cores; load average before: $load_before; ROUNDS=${ROUNDS:-3} WARMUP=${WARMUP:-1})"
    cat "$out"
    echo
} >>"$runlog"
echo "recorded: $row" >&2
