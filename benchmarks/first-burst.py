#!/usr/bin/env python3
"""First-burst latency and memory, side by side: benchmarks/first-burst.py [CONNS] [ROUNDS]

For each server (bin/nats-server, then the reference nats-server; NATS_SERVER_BIN overrides its path), per round:
start it fresh on a free port, wait until it answers PING, let it idle 2 s and read its resident memory (VmRSS),
then run a canary request/reply every 10 ms (one responder connection, one requester) while CONNS connections
(default 2,000) open at once, each sending CONNECT and PING and waiting for PONG. Prints the canary's max and
p99 (nearest rank; a slow round trip holds the next ones back, so there are few samples) during the burst, the time until every burst connection had its PONG, and RSS idle and after.
Issue 14's goals: canary max within 3x of nats-server's, idle RSS < 48 MB. Load average printed alongside.
"""
import os, resource, select, signal, socket, statistics, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONNS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
EXES = [os.path.join(ROOT, "bin", "nats-server"), os.environ.get("NATS_SERVER_BIN", "/usr/sbin/nats-server")]

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, CONNS + 200)), hard))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def connect(port, timeout=10):
    deadline = time.time() + timeout
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.settimeout(10)
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.005)


def read_until(s, token, buf=b""):
    while token not in buf:
        d = s.recv(65536)
        if not d:
            raise IOError("closed")
        buf += d
    return buf


def canary(port, stop, rtts):
    resp = connect(port); req = connect(port)
    read_until(resp, b"\r\n"); read_until(req, b"\r\n")
    resp.sendall(b'CONNECT {"verbose":false}\r\nSUB canary 1\r\nPING\r\n'); read_until(resp, b"PONG\r\n")
    req.sendall(b'CONNECT {"verbose":false}\r\nSUB reply 1\r\nPING\r\n'); read_until(req, b"PONG\r\n")

    def responder():
        buf = b""
        while not stop.is_set():
            try:
                d = resp.recv(65536)
            except OSError:
                return
            if not d:
                return
            buf += d
            while b"hi\r\n" in buf:
                buf = buf.split(b"hi\r\n", 1)[1]
                resp.sendall(b"PUB reply 2\r\nok\r\n")
    threading.Thread(target=responder, daemon=True).start()
    buf = b""
    while not stop.is_set():
        t0 = time.perf_counter()
        req.sendall(b"PUB canary reply 2\r\nhi\r\n")
        buf = read_until(req, b"ok\r\n", buf).split(b"ok\r\n", 1)[1]
        rtts.append((time.perf_counter() - t0) * 1000)
        time.sleep(max(0, 0.010 - (time.perf_counter() - t0)))
    resp.close(); req.close()


def burst(port, n):
    socks = []
    t0 = time.time()
    for _ in range(n):
        s = socket.socket(); s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        socks.append(s)
    pending = {s.fileno(): [s, b"", False] for s in socks}
    poll = select.epoll()
    for s in socks:
        poll.register(s.fileno(), select.EPOLLIN | select.EPOLLOUT)
    done = 0
    deadline = time.time() + 60
    while done < n and time.time() < deadline:
        for fd, ev in poll.poll(0.5):
            st = pending.get(fd)
            if st is None:
                continue
            s = st[0]
            if ev & select.EPOLLOUT and not st[2]:
                try:
                    s.send(b'CONNECT {"verbose":false}\r\nPING\r\n'); st[2] = True
                    poll.modify(fd, select.EPOLLIN)
                except OSError:
                    pass
            if ev & select.EPOLLIN:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b""
                st[1] += d
                if b"PONG\r\n" in st[1] or not d:
                    poll.unregister(fd); del pending[fd]; done += 1
    took = (time.time() - t0) * 1000
    return socks, took, n - len(pending)


def one(exe):
    port = free_port()
    p = subprocess.Popen([exe, "-a", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        s = connect(port); read_until(s, b"\r\n"); s.sendall(b"CONNECT {}\r\nPING\r\n"); read_until(s, b"PONG\r\n"); s.close()
        time.sleep(2)
        idle = rss_mb(p.pid)
        stop = threading.Event(); rtts = []
        t = threading.Thread(target=canary, args=(port, stop, rtts), daemon=True); t.start()
        time.sleep(0.3)
        before = len(rtts)
        socks, took, ok = burst(port, CONNS)
        time.sleep(0.2)
        stop.set(); t.join(5)
        during = rtts[before:] or [float("nan")]
        after = rss_mb(p.pid)
        for x in socks:
            x.close()
        q = sorted(during)
        return max(during), q[min(len(q) - 1, max(0, -(-len(q) * 99 // 100) - 1))], took, ok, idle, after
    finally:
        p.send_signal(signal.SIGTERM); p.wait(10)


print(f"load {open('/proc/loadavg').read().split()[0:3]}, {CONNS} connections at once, {ROUNDS} rounds")
for r in range(ROUNDS):
    for exe in EXES:
        mx, p99, took, ok, idle, after = one(exe)
        name = "NATS Boot (bin/nats-server)" if exe == EXES[0] else "nats-server " + exe
        print(f"{name}: "
              f"canary max {mx:.1f} ms p99 {p99:.1f} ms; burst {ok}/{CONNS} PONGs in {took:.0f} ms; RSS idle {idle:.1f} MB, after {after:.1f} MB")
print(f"load {open('/proc/loadavg').read().split()[0:3]}")
