#!/usr/bin/env python3
"""Start-up with stored JetStream data, timed from spawn: jetstream_ready.py EXE STORE_DIR PORT STREAMS MSGS

Spawns EXE -a 127.0.0.1 -p PORT -js -sd STORE_DIR and measures, from the spawn: the first INFO on a TCP
connection, then the first $JS.API.STREAM.INFO answers that show all STREAMS streams (S0..S<n-1>) with MSGS
messages each (every stream recovered). Prints one JSON line and stops the server with SIGTERM.
"""
import json, socket, subprocess, sys, time

exe, store, port, streams, msgs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
t0 = time.monotonic()
proc = subprocess.Popen([exe, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", store],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            if time.monotonic() - t0 > 300 or proc.poll() is not None:
                sys.exit(f"jetstream_ready: {exe} did not open port {port}")
            time.sleep(0.002)
    s.settimeout(60)
    buf = b""
    while b"\r\n" not in buf:
        buf += s.recv(65536)
    t_info = time.monotonic()
    s.sendall(b'CONNECT {"verbose":false,"headers":true}\r\nSUB _r.* 1\r\nPING\r\n')

    def answer(subject):
        """One request/reply on the raw connection; returns the reply payload (None on a 503/no-responders)."""
        global buf
        s.sendall(b"PUB " + subject.encode() + b" _r.1 0\r\n\r\n")
        while True:
            i = buf.find(b"MSG _r.")
            j = buf.find(b"HMSG _r.")
            if j >= 0 and (i < 0 or j < i):  # no responders (status header) or similar
                end = buf.find(b"\r\n", j)
                if end >= 0:
                    parts = buf[j:end].split()
                    total = int(parts[-1])
                    if len(buf) >= end + 2 + total + 2:
                        buf = buf[end + 2 + total + 2:]
                        return None
            elif i >= 0:
                end = buf.find(b"\r\n", i)
                if end >= 0:
                    size = int(buf[i:end].split()[-1])
                    if len(buf) >= end + 2 + size + 2:
                        payload = buf[end + 2:end + 2 + size]
                        buf = buf[end + 2 + size + 2:]
                        return payload
            d = s.recv(65536)
            if not d:
                sys.exit("jetstream_ready: connection closed")
            buf += d

    pending = [f"S{k}" for k in range(streams)]
    while pending:
        p = answer("$JS.API.STREAM.INFO." + pending[0])
        info = json.loads(p) if p else {}
        if info.get("state", {}).get("messages") == msgs:
            pending.pop(0)
        elif time.monotonic() - t0 > 300:
            sys.exit(f"jetstream_ready: {pending[0]} not recovered after 300 s: {p!r}")
        else:
            time.sleep(0.005)
    t_ready = time.monotonic()
    print(json.dumps({"info_ms": round((t_info - t0) * 1000), "all_streams_ms": round((t_ready - t0) * 1000)}))
finally:
    proc.terminate()
    proc.wait(60)
