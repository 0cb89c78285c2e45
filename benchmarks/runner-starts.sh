#!/usr/bin/env bash
# jnats-server-runner starts under load: benchmarks/runner-starts.sh [COUNT] [BURN_THREADS]
#
# Starts bin/nats-server COUNT times (default 100) through io.nats:jnats-server-runner with its default
# settings (its readiness check gives a spawned server about 0.3 s to answer with INFO), while another JVM
# keeps BURN_THREADS (default 2 = both cores here) busy, and the same for the reference nats-server
# (NATS_SERVER_BIN, default /usr/sbin/nats-server) in the same run. Prints failures and their reasons.
# Goal (issue 14): 0 failures. The load average is printed next to the figures.
set -euo pipefail
here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
count=${1:-100}
burn=${2:-2}
gnats=${NATS_SERVER_BIN:-/usr/sbin/nats-server}
java=${NATSBOOT_BENCH_JAVA:-java}

cd "$root"
[ -f nats-server-core/target/nats-server-core-0.1.0-SNAPSHOT.jar ] || ./mvnw -q -pl nats-server-core -am package -DskipTests
cp=$(./mvnw -q -pl nats-server-core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)

"$java" "$here/runner/Burn.java" "$burn" & burner=$!
trap 'kill $burner 2>/dev/null || true' EXIT
sleep 1
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $burn busy threads in another JVM"
"$java" -cp "$cp" "$here/runner/RunnerStarts.java" "$root/bin/nats-server" "$count"
if [ -x "$gnats" ]; then
    "$java" -cp "$cp" "$here/runner/RunnerStarts.java" "$gnats" "$count"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
