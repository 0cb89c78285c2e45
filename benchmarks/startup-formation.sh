#!/usr/bin/env bash
# Issue 14's start-up and cluster-formation figures, ours and nats-server in the same run:
#   benchmarks/startup-formation.sh [ROUNDS]      -> appends to benchmarks/results/startup-formation.txt
#
# - ../shared/bench/startup-time.sh EXE 1 and EXE 6: median ms from spawn until 1 / 6 ports files exist
# - ../shared/bench/mesh-time.py EXE BASEPORT: ms from the third node accepting clients until the seed's INFO
#   lists all three connect_urls (3 runs each, fresh base ports)
# Goals (issue 14): one server <= 120 ms, six <= 450 ms, third node -> gossip <= 50 ms. The load average is
# recorded with every line: on a shared machine the wall times scale with it.
set -euo pipefail
here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
bench=${NATSBOOT_SHARED_BENCH:-$root/../shared/bench}
gnats=${NATS_SERVER_BIN:-/usr/sbin/nats-server}
rounds=${1:-3}
out="$here/results/startup-formation.txt"
cd "$root"
[ -f nats-server-core/target/nats-server-core-0.1.0-SNAPSHOT.jar ] || ./mvnw -q -pl nats-server-core -am package -DskipTests
bin/nats-server -v >/dev/null
load() { cut -d' ' -f1 /proc/loadavg; }
{
    echo "== $(date -u +%Y-%m-%dT%H:%MZ) commit $(git rev-parse --short HEAD) load $(load)"
    for n in 1 6; do
        echo "startup $n: ours $("$bench/startup-time.sh" bin/nats-server "$n" "$rounds") ms, nats-server $("$bench/startup-time.sh" "$gnats" "$n" "$rounds") ms (load $(load))"
    done
    base=$(( 20000 + RANDOM % 9000 ))  # below the ephemeral port range (other processes' outgoing connections)
    for i in 1 2 3; do
        timeout 60 python3 "$bench/mesh-time.py" bin/nats-server $((base + i * 10)) || echo "bin/nats-server: mesh-time failed"
        timeout 60 python3 "$bench/mesh-time.py" "$gnats" $((base + 500 + i * 10)) || echo "$gnats: mesh-time failed"
        echo "(load $(load))"
    done
} | tee -a "$out"
