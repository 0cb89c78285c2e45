#!/usr/bin/env bash
# CPU (or allocation) profile of our standalone server under one side-by-side scenario, with async-profiler.
#
#   benchmarks/profile.sh pubsub-1:1            # flame graph + collapsed stacks in benchmarks/results/profiles/
#   EVENT=alloc benchmarks/profile.sh pubsub-1KiB
#   RUNS=5 benchmarks/profile.sh req-rep
#
# Scenarios (the shared natsbench ones): pub, pubsub-1:1, fanout-1:4, queue-4, pubsub-1KiB, req-rep.
# Starts bin/nats-server, warms it up with WARMUP (default 2) unprofiled runs of the scenario, attaches async-profiler
# (jcmd JVMTI.agent_load; the library comes from the tools.profiler:async-profiler jar in ~/.m2, fetched
# with `./mvnw dependency:get` when missing), profiles RUNS runs, and writes <scenario>-<event>.html (flame
# graph) and .collapsed (one line per stack, for grep and scripts). Prints the top frames by self time and
# the share of the samples under the main parts of the message path.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
scenario=${1:?usage: profile.sh SCENARIO}
event=${EVENT:-cpu}
runs=${RUNS:-3}
port=${PORT:-24350}
ap_version=${ASYNC_PROFILER_VERSION:-4.2}
outdir=${OUT:-$here/results/profiles}
bin=${NATSBENCH_BIN:-/tmp/natsbench-bin/natsbench}

case "$scenario" in
    pub) args="-mode pub -n 2000000 -size 16" ;;
    pubsub-1:1) args="-mode pubsub -n 1000000 -size 16 -subs 1" ;;
    fanout-1:4) args="-mode pubsub -n 500000 -size 16 -subs 4" ;;
    queue-4) args="-mode queue -n 1000000 -size 16 -subs 4" ;;
    pubsub-1KiB) args="-mode pubsub -n 300000 -size 1024 -subs 1" ;;
    req-rep) args="-mode req -n 20000 -size 16" ;;
    *) echo "profile: unknown scenario $scenario" >&2; exit 2 ;;
esac

jar=$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version.jar
if [ ! -f "$jar" ]; then
    (cd "$root" && ./mvnw -q dependency:get -Dartifact="tools.profiler:async-profiler:$ap_version")
fi
lib_dir=${TMPDIR:-/tmp}/natsboot-async-profiler-$ap_version
lib=$lib_dir/linux-x64/libasyncProfiler.so
if [ ! -f "$lib" ]; then
    mkdir -p "$lib_dir"
    (cd "$lib_dir" && unzip -q -o "$jar" 'linux-x64/*')
fi

"$root/bin/nats-server" -a 127.0.0.1 -p "$port" >/tmp/natsboot-profile-server.log 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
jcmd=$(dirname "$(readlink -f "/proc/$pid/exe")")/jcmd

for _ in $(seq "${WARMUP:-2}"); do "$bin" -s "nats://127.0.0.1:$port" $args >/dev/null; done
mkdir -p "$outdir"
name=$outdir/${scenario//:/-}-$event
# jcmd would split a bare a=b argument into a key and a value: the agent's options go in as one quoted string.
agent() { "$jcmd" "$pid" JVMTI.agent_load "$lib" "\"$1\"" >/dev/null; }
agent "start,event=$event,interval=${INTERVAL:-1000000}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do "$bin" -s "nats://127.0.0.1:$port" $args; done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# The same samples twice: collapsed stacks (dump keeps profiling), then the flame graph (stop).
agent "dump,collapsed,file=$name.collapsed"
agent "stop,flamegraph,file=$name.html"

python3 - "$name.collapsed" <<'PY'
import collections, sys
total = 0
self_time = collections.Counter()
parts = collections.Counter()
groups = [
    ("decode (ClientProtocolParser, own)", lambda s: "ClientProtocolParser" in s.split(";")[-1]),
    ("publish: match (SubjectCache/trie)", lambda s: "SubjectCache.lookup" in s),
    ("publish: deliver into batches", lambda s: "ClientConnection.deliver" in s),
    ("flush: socket write (writev)", lambda s: "doWrite" in s),
    ("read: socket read", lambda s: "doReadBytes" in s or "epollInReady" in s and "channelRead" not in s and "fireChannelRead" not in s),
    ("epoll wait", lambda s: "epollWait" in s or "epoll_wait" in s),
    ("GC threads", lambda s: "GCThread" in s or "WorkerThread::run" in s),
    ("JIT compiler", lambda s: "CompileBroker" in s),
]
for line in open(sys.argv[1]):
    stack, n = line.rsplit(" ", 1)
    n = int(n)
    total += n
    self_time[stack.split(";")[-1]] += n
    for name, test in groups:
        if test(stack):
            parts[name] += n
print("samples: %d" % total)
for name, _ in groups:
    print("  %5.1f%%  %s" % (100.0 * parts[name] / max(total, 1), name))
print("top self:")
for frame, n in self_time.most_common(20):
    print("  %5.1f%%  %s" % (100.0 * n / max(total, 1), frame[:120]))
PY
