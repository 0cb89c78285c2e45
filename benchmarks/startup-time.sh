#!/usr/bin/env bash
# Start-up time of the standalone server, measured as the tools that spawn nats-server see it:
# from spawning the process to the first INFO line read on a TCP connection (connect retried every 2 ms),
# and to the ports file (--ports_file_dir) appearing. N runs per variant, median/min/max in milliseconds.
#
#   benchmarks/startup-time.sh [-n RUNS] [--only ours-cold|ours-warm|ours-nocds|nats-server]...
#
# Variants:
#   ours-cold    bin/nats-server with the class-data sharing archive deleted before every run
#   ours-warm    bin/nats-server with the archive in place (one unmeasured run creates it first)
#   ours-nocds   bin/nats-server with NATSBOOT_CDS=off (the JDK's own base archive only)
#   nats-server  the Go binary (NATS_SERVER_BIN, default /usr/sbin/nats-server), if installed
#
# Runs go round robin over the variants. Servers are stopped with SIGTERM and waited for (a cold run
# writes the archive while exiting; the warm run after it uses that archive).
# Environment: NATSBOOT_JAVA / NATSBOOT_JAVA_OPTS are passed through to bin/nats-server.
set -euo pipefail

here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)

runs=10
only=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) runs=$2; shift 2 ;;
        --only) only+=("$2"); shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

launcher="$root/bin/nats-server"
# Build once up front so no variant pays for it.
"$launcher" -v >/dev/null

exec python3 - "$runs" "$launcher" "${NATS_SERVER_BIN:-/usr/sbin/nats-server}" "${only[@]+"${only[@]}"}" <<'PY'
import os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

runs = int(sys.argv[1])
launcher, gobin = sys.argv[2], sys.argv[3]
only = set(sys.argv[4:])

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def measure(cmd, env, ports_dir):
    """Spawn cmd; return (ms to first INFO line, ms to ports file)."""
    for f in os.listdir(ports_dir):
        os.unlink(os.path.join(ports_dir, f))
    port = free_port()
    argv = cmd + ["-a", "127.0.0.1", "-p", str(port), "--ports_file_dir", ports_dir]
    t0 = time.monotonic_ns()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_info = t_ports = None
    deadline = t0 + 30 * 10**9
    try:
        while (t_info is None or t_ports is None) and time.monotonic_ns() < deadline:
            if t_info is not None and time.monotonic_ns() - t_info > 5 * 10**9:
                break  # no ports file 5 s after INFO: report INFO alone
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %s" % (argv[0], proc.returncode))
            if t_ports is None and any(f.endswith(".ports") for f in os.listdir(ports_dir)):
                t_ports = time.monotonic_ns()
            if t_info is None:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                        buf = b""
                        while b"\r\n" not in buf:
                            chunk = s.recv(4096)
                            if not chunk:
                                break
                            buf += chunk
                        if buf.startswith(b"INFO "):
                            t_info = time.monotonic_ns()
                except OSError:
                    pass
            if t_info is None or t_ports is None:
                time.sleep(0.002)
        if t_info is None:
            raise RuntimeError("no INFO within 30 s from %s" % argv[0])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    ms = lambda t: None if t is None else (t - t0) / 1e6
    return ms(t_info), ms(t_ports)

def summary(name, results):
    info = [r[0] for r in results]
    ports = [r[1] for r in results if r[1] is not None]
    line = "%-12s n=%-3d INFO: median %7.1f  min %7.1f  max %7.1f" % (
        name, len(info), statistics.median(info), min(info), max(info))
    if ports:
        line += "   | ports file: median %7.1f" % statistics.median(ports)
    print(line, flush=True)

work = tempfile.mkdtemp(prefix="natsboot-startup-")
ports_dir = os.path.join(work, "ports")
cds_dir = os.path.join(work, "cds")
os.makedirs(ports_dir)
os.makedirs(cds_dir)
base_env = dict(os.environ)

def ours_env(**extra):
    e = dict(base_env, NATSBOOT_CDS_DIR=cds_dir)
    e.update(extra)
    return e

def clear_cds():
    for f in os.listdir(cds_dir):
        os.unlink(os.path.join(cds_dir, f))

variants = []
if not only or "ours-cold" in only:
    variants.append(("ours-cold", [launcher], lambda: ours_env(), clear_cds))
if not only or "ours-warm" in only:
    variants.append(("ours-warm", [launcher], lambda: ours_env(), None))
if not only or "ours-nocds" in only:
    variants.append(("ours-nocds", [launcher], lambda: ours_env(NATSBOOT_CDS="off"), None))
if (not only or "nats-server" in only):
    if shutil.which(gobin) or os.path.exists(gobin):
        variants.append(("nats-server", [gobin], lambda: dict(base_env), None))
    else:
        print("nats-server: %s not found, skipped" % gobin)

def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])

print("host: %s, %d CPUs; %d runs per variant, variants interleaved; times in ms from spawn; load %s" % (
    os.uname().nodename, os.cpu_count(), runs, loadavg()), flush=True)
results = {name: [] for name, _, _, _ in variants}
try:
    if any(name == "ours-warm" for name, _, _, _ in variants):
        clear_cds()
        measure([launcher], ours_env(), ports_dir)  # writes the archive (at exit); not counted
    # Round robin, so that a change in the machine's load hits every variant alike. A cold run writes
    # a fresh archive when it exits, which the warm run after it then uses.
    for _ in range(runs):
        for name, cmd, env, before in variants:
            if before:
                before()
            results[name].append(measure(cmd, env(), ports_dir))
    for name, _, _, _ in variants:
        summary(name, results[name])
    print("load at the end: %s" % loadavg())
finally:
    shutil.rmtree(work, ignore_errors=True)
PY
