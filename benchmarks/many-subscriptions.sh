#!/usr/bin/env bash
# Subscription scaling: memory and match cost with many distinct subjects, NATS Boot against nats-server.
#
#   benchmarks/many-subscriptions.sh                    # 1,000,000 subscriptions, 200,000 publishes
#   SUBS=10000 PUBS=200000 benchmarks/many-subscriptions.sh
#
# For each server: start it, run benchmarks/many_subs.py (one connection subscribes to SUBS distinct
# subjects; RSS before and after; then PUBS messages to random ones of those subjects, timed until all are
# delivered), stop it. For our server the script also passes jcmd, for the used Java heap after a full GC.
# Appends the lines to benchmarks/results/many-subscriptions.txt with date, commit and load average.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
. "$here/lib/processes.sh"
subs=${SUBS:-1000000}
pubs=${PUBS:-200000}
ours_port=${PORT:-24334}
ref_port=${REF_PORT:-14334}
out=$here/results/many-subscriptions.txt


ensure_built "$root"

load=$(cut -d' ' -f1-3 /proc/loadavg)
results=()

nats-server -a 127.0.0.1 -p "$ref_port" >/tmp/natsboot-subs-ref.log 2>&1 &
ref_pid=$!
trap 'stop $ref_pid' EXIT
wait_port "$ref_port" "$ref_pid"
sleep 2
results+=("nats-server $(python3 "$here/many_subs.py" 127.0.0.1 "$ref_port" "$ref_pid" "$subs" "$pubs")")
stop "$ref_pid"
echo "${results[-1]}"

"$root/bin/nats-server" -a 127.0.0.1 -p "$ours_port" >/tmp/natsboot-subs-ours.log 2>&1 &
ours_pid=$!
trap 'stop $ours_pid' EXIT
wait_port "$ours_port" "$ours_pid"
sleep 2
jcmd=$(dirname "$(readlink -f "/proc/$ours_pid/exe")")/jcmd
results+=("natsboot    $(python3 "$here/many_subs.py" 127.0.0.1 "$ours_port" "$ours_pid" "$subs" "$pubs" --jcmd "$jcmd")")
stop "$ours_pid"
echo "${results[-1]}"

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$root" status --porcelain -- nats-server-core bin 2>/dev/null)" ] || commit+="-dirty"
mkdir -p "$(dirname "$out")"
{
    echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $commit load=$load NATSBOOT_JAVA_OPTS=${NATSBOOT_JAVA_OPTS:-}"
    printf '%s\n' "${results[@]}"
} >>"$out"
