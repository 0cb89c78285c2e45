#!/usr/bin/env python3
"""Subscription scaling against one running server: memory and match cost with N distinct subjects.

    python3 benchmarks/many_subs.py HOST PORT SERVER_PID N_SUBS N_PUBS [--jcmd PATH]

1. One raw connection subscribes to N_SUBS distinct literal subjects (bench.0 .. bench.N-1, one SUB each,
   sent in large writes), then PING; the time to its PONG gives subscriptions per second.
2. Reads the server's VmRSS before and after (and, with --jcmd, the used Java heap after a full GC at
   both points).
3. Twice (a warm-up pass, then the reported pass), publishes N_PUBS 16-byte messages, each to a random one of the N subjects (seeded, the same sequence
   for every server), from a second raw connection, and times until the subscriber has received them all.
   With random subjects out of many, almost every publish misses any subject cache, so the rate measures
   the server's match on the full index plus one delivery.

Prints one line of key=value pairs.
"""
import random
import re
import socket
import subprocess
import sys
import threading
import time


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def heap_kib(jcmd, pid):
    if not jcmd:
        return -1
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True)
    time.sleep(1)
    out = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    # One line with totals for G1, one per generation for Parallel and Serial.
    used = [int(m.group(1)) for line in out.splitlines() if "total" in line
            for m in [re.search(r"used (\d+)K", line)] if m]
    return sum(used) if used else -1


def handshake(host, port):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    while b"\r\n" not in buf:
        buf += s.recv(4096)
    s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n')
    return s


def wait_pong(s, buf=b""):
    while b"PONG\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise SystemExit("connection closed by the server: %r" % buf[-200:])
        if b"-ERR" in d:
            raise SystemExit("server error: %r" % d[:200])
        buf = (buf + d)[-64:]


def main():
    args = sys.argv[1:]
    jcmd = None
    if "--jcmd" in args:
        i = args.index("--jcmd")
        jcmd = args[i + 1]
        del args[i:i + 2]
    host, port, pid, nsubs, npubs = args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4])

    heap0 = heap_kib(jcmd, pid)
    rss0 = rss_kib(pid)
    sub = handshake(host, port)
    t0 = time.monotonic()
    chunk = 20000
    for base in range(0, nsubs, chunk):
        sub.sendall(b"".join(b"SUB bench.%d %d\r\n" % (i, i) for i in range(base, min(nsubs, base + chunk))))
    sub.sendall(b"PING\r\n")
    wait_pong(sub)
    sub_secs = time.monotonic() - t0
    time.sleep(2)
    rss1 = rss_kib(pid)
    heap1 = heap_kib(jcmd, pid)
    rss1_gc = rss_kib(pid) if jcmd else -1

    rnd = random.Random(42)
    payload = b"0123456789abcdef"
    frames = b"".join(b"PUB bench.%d 16\r\n%s\r\n" % (rnd.randrange(nsubs), payload) for _ in range(npubs))
    pub = handshake(host, port)
    pub.sendall(b"PING\r\n")
    wait_pong(pub)

    def run_pass():
        received = 0
        tail = b""

        def send():
            view = memoryview(frames)
            for off in range(0, len(view), 65536):
                pub.sendall(view[off:off + 65536])
        t1 = time.monotonic()
        sender = threading.Thread(target=send)
        sender.start()
        sub.settimeout(60)
        while received < npubs:
            d = sub.recv(262144)
            if not d:
                raise SystemExit("subscriber connection closed after %d messages" % received)
            data = tail + d
            received += data.count(b"MSG ")
            tail = data[-3:]
            if b"PING\r\n" in d:
                sub.sendall(b"PONG\r\n")
        secs = time.monotonic() - t1
        sender.join()
        return npubs / secs

    # The first pass warms the server up (a JVM's JIT compiles the match path during it); the second is reported.
    first = run_pass()
    second = run_pass()
    print("subs=%d subscribe_s=%.2f subs_per_s=%.0f rss_kib=%d->%d rss_per_sub_bytes=%.0f%s pubs=%d "
          "random_subject_msgs_per_s=%.0f first_pass=%.0f" % (
              nsubs, sub_secs, nsubs / sub_secs, rss0, rss1, (rss1 - rss0) * 1024 / nsubs,
              (" heap_kib=%d->%d heap_per_sub_bytes=%.0f rss_after_gc_kib=%d"
               % (heap0, heap1, (heap1 - heap0) * 1024 / nsubs, rss1_gc)) if jcmd else "",
              npubs, second, first), flush=True)
    pub.close()
    sub.close()


if __name__ == "__main__":
    main()
