#!/usr/bin/env python3
"""Opens N idle NATS client connections (raw sockets: read INFO, send CONNECT + PING, wait for PONG) and
keeps them open, answering the server's PINGs, until stdin closes or SIGTERM.

    python3 benchmarks/idle_clients.py HOST PORT N

Prints "ready N SECONDS" on stdout once every connection has had its PONG (SECONDS = time to connect them
all), then holds. Used by benchmarks/idle-connections.sh; needs `ulimit -n` above N.
"""
import selectors
import signal
import socket
import sys
import time

CONNECT = b'CONNECT {"verbose":false,"pedantic":false,"lang":"python-raw","version":"0","protocol":1}\r\nPING\r\n'
BATCH = 250  # connections in flight at once, well inside both servers' accept backlogs


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sel = selectors.DefaultSelector()
    pending = {}  # socket -> (0 = awaiting INFO / 1 = awaiting PONG, bytes received)
    ready = 0
    opened = 0
    start = time.monotonic()

    def open_one():
        s = socket.create_connection((host, port), timeout=10)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        pending[s] = (0, b"")

    def pong_if_pinged(s, data):
        # The server's keepalive PINGs (first ~2 s after CONNECT, then every ping_interval).
        if b"PING\r\n" in data:
            try:
                s.send(b"PONG\r\n")
            except OSError:
                pass

    while ready < n:
        while opened < n and len(pending) < BATCH:
            open_one()
            opened += 1
        for key, _ in sel.select(timeout=10):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                raise SystemExit("server closed a connection during set-up (after %d ready)" % ready)
            if s in pending:
                state, buf = pending[s]
                buf += data
                if state == 0 and b"\r\n" in buf:
                    # INFO line complete
                    s.sendall(CONNECT)
                    state, buf = 1, buf[buf.index(b"\r\n") + 2:]
                if state == 1 and b"-ERR" in buf:
                    raise SystemExit("server refused a connection: %r" % buf)
                if state == 1 and b"PONG\r\n" in buf:
                    del pending[s]
                    ready += 1
                    continue
                pending[s] = (state, buf)
            else:
                pong_if_pinged(s, data)
    print("ready %d %.2f" % (n, time.monotonic() - start), flush=True)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    sel.register(sys.stdin, selectors.EVENT_READ)
    while not stop:
        for key, _ in sel.select(timeout=1):
            if key.fileobj is sys.stdin:
                if not sys.stdin.readline():
                    stop.append(1)
                continue
            try:
                data = key.fileobj.recv(65536)
            except (BlockingIOError, ConnectionError):
                continue
            if not data:
                sel.unregister(key.fileobj)
                continue
            pong_if_pinged(key.fileobj, data)


if __name__ == "__main__":
    main()
