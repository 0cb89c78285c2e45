#!/usr/bin/env python3
"""Draws the recorded side-by-side ratios (benchmarks/results/side-by-side.csv) into a PNG bar chart.

    python3 benchmarks/plot-results.py                    # -> docs/performance-ratios.png
    python3 benchmarks/plot-results.py --last 5 --out /tmp/ratios.png

One group of bars per scenario, one bar per recorded run (the last --last runs), a dashed line at 1.0
(as fast as nats-server). Rates: higher is better; the two req-rep rows are latencies: lower is better.

Uses matplotlib when it can be imported (Debian: apt-get install -y python3-matplotlib; this script also
looks for it under /usr/bin/python3 when the python3 on PATH lacks it). Otherwise it draws the chart
itself and writes the PNG with zlib + struct, so it runs on a bare python3 as well (--renderer builtin
forces that).
"""
import argparse
import csv
import os
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LATENCY = ("req-rep-p50-us", "req-rep-p99-us")
COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
          (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def load(path, last):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:
        sys.exit(f"plot-results: no runs recorded in {path}")
    header, runs = rows[0], rows[1:]
    # Columns after the seven ratios (the load average before the run) are not drawn.
    scenarios = [h for h in header[2:] if not h.startswith("load")]
    runs = runs[-last:] if last > 0 else runs
    labels = [f"{r[0][:16].replace('T', ' ')} {r[1]}" for r in runs]
    values = [[float(x) for x in r[2:2 + len(scenarios)]] for r in runs]
    return scenarios, labels, values


def scenario_label(s):
    return s + ("\n(latency,\nlower is better)" if s in LATENCY else "")


TITLE = "NATS Boot / nats-server 2.9.10 (side-by-side.sh, same machine, median of rounds)"
YLABEL = "ratio (1.0 = as fast as nats-server)"


# ---- matplotlib ---------------------------------------------------------------------------------------

def plot_matplotlib(scenarios, labels, values, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(labels)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(14, 6.4), dpi=100)
    for i, (label, vals) in enumerate(zip(labels, values)):
        xs = [g - 0.4 + width * (i + 0.5) for g in range(len(scenarios))]
        color = tuple(c / 255 for c in COLORS[i % len(COLORS)])
        bars = ax.bar(xs, vals, width * 0.95, label=label, color=color)
        if n <= 4:
            ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(range(len(scenarios)))
    ax.set_xticklabels([scenario_label(s) for s in scenarios], fontsize=9)
    ax.set_ylabel(YLABEL)
    ax.set_title(TITLE)
    ax.set_ylim(0, max(1.2, max(max(v) for v in values) * 1.12))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(title="run (UTC date, commit)", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(out)


# ---- built-in renderer: a canvas, a 5x7 bitmap font, a PNG writer -------------------------------------

FONT = {
    "A": "01110 10001 10001 11111 10001 10001 10001", "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110", "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111", "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111", "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110", "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001", "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001", "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110", "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101", "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110", "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110", "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010", "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 10001 01010 00100 00100 00100", "Z": "11111 00001 00010 00100 01000 10000 11111",
    "0": "01110 10001 10011 10101 11001 10001 01110", "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111", "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010", "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110", "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110", "9": "01110 10001 10001 01111 00001 00010 01100",
    " ": "00000 00000 00000 00000 00000 00000 00000", ".": "00000 00000 00000 00000 00000 01100 01100",
    ":": "00000 01100 01100 00000 01100 01100 00000", "-": "00000 00000 00000 11111 00000 00000 00000",
    "/": "00000 00001 00010 00100 01000 10000 00000", "(": "00010 00100 01000 01000 01000 00100 00010",
    ")": "01000 00100 00010 00010 00010 00100 01000", ",": "00000 00000 00000 00000 01100 00100 01000",
    "_": "00000 00000 00000 00000 00000 00000 11111", "=": "00000 00000 11111 00000 11111 00000 00000",
    "+": "00000 00100 00100 11111 00100 00100 00000", "%": "11000 11001 00010 00100 01000 10011 00011",
    "<": "00010 00100 01000 10000 01000 00100 00010", ">": "01000 00100 00010 00001 00010 00100 01000",
    "*": "00000 00100 10101 01110 10101 00100 00000",
}


class Canvas:
    def __init__(self, w, h, bg=(255, 255, 255)):
        self.w, self.h = w, h
        self.px = bytearray(bytes(bg) * (w * h))

    def rect(self, x0, y0, x1, y1, color):
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        y0, y1 = max(0, int(y0)), min(self.h, int(y1))
        if x1 <= x0:
            return
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            i = (y * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def hline(self, x0, x1, y, color, dash=0):
        if dash:
            for x in range(int(x0), int(x1), 2 * dash):
                self.rect(x, y, min(x + dash, x1), y + 1, color)
        else:
            self.rect(x0, y, x1, y + 1, color)

    @staticmethod
    def text_width(s, scale):
        return len(s) * 6 * scale - scale

    def text(self, x, y, s, scale=1, color=(0, 0, 0), anchor="left"):
        if anchor == "center":
            x -= self.text_width(s, scale) // 2
        elif anchor == "right":
            x -= self.text_width(s, scale)
        for ch in s.upper():
            rows = FONT.get(ch, FONT["*"]).split()
            for r, bits in enumerate(rows):
                for c, bit in enumerate(bits):
                    if bit == "1":
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, color)
            x += 6 * scale

    def png(self, path):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)))
            f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
            f.write(chunk(b"IEND", b""))


def plot_builtin(scenarios, labels, values, out):
    n = len(labels)
    legend_rows = (n + 1) // 2
    W, H = 1400, 600 + 22 * legend_rows
    left, right, top, bottom = 90, 30, 70, H - 130 - 22 * legend_rows
    c = Canvas(W, H)
    c.text(W // 2, 24, TITLE, scale=2, anchor="center")
    top_value = max(1.2, max(max(v) for v in values) * 1.12)
    step = 0.25 if top_value <= 2.5 else 0.5
    ymax = step * int(top_value / step + 0.999)

    def y_of(v):
        return bottom - (bottom - top) * v / ymax

    k = 0
    while k * step <= ymax + 1e-9:
        v = k * step
        y = int(y_of(v))
        c.hline(left, W - right, y, (225, 225, 225))
        c.text(left - 8, y - 7, f"{v:.2f}", scale=2, anchor="right")
        k += 1
    c.rect(left, top, left + 1, bottom + 1, (0, 0, 0))
    c.hline(left, W - right, bottom, (0, 0, 0))
    # Y axis title, written vertically one letter per line would be unreadable: put it above the axis.
    c.text(left - 60, top - 22, YLABEL, scale=1)

    group = (W - right - left) / len(scenarios)
    bar = group * 0.8 / n
    for g, s in enumerate(scenarios):
        gx = left + g * group
        for i in range(n):
            v = values[i][g]
            x0 = gx + group * 0.1 + i * bar
            color = COLORS[i % len(COLORS)]
            c.rect(x0 + 1, y_of(v), x0 + bar - 1, bottom, color)
            label = f"{v:.2f}"
            scale = 2 if c.text_width(label, 2) <= bar else 1
            if c.text_width(label, scale) <= bar + 4:
                c.text(x0 + bar / 2, int(y_of(v)) - 8 * scale - 2, label, scale=scale, anchor="center")
        c.text(gx + group / 2, bottom + 12, s, scale=2, anchor="center")
        if s in LATENCY:
            c.text(gx + group / 2, bottom + 34, "latency: lower is better", scale=1, anchor="center")
    c.hline(left, W - right, int(y_of(1.0)), (0, 0, 0), dash=8)

    ly = bottom + 64
    c.text(left, ly, "runs (UTC date, commit):", scale=2)
    c.hline(left + 600, left + 640, ly + 7, (0, 0, 0), dash=8)
    c.text(left + 652, ly, "1.0 = as fast as nats-server", scale=2)
    for i, label in enumerate(labels):
        x = left + (i % 2) * 600
        y = ly + 24 + (i // 2) * 22
        c.rect(x, y, x + 14, y + 14, COLORS[i % len(COLORS)])
        c.text(x + 22, y, label, scale=2)
    c.png(out)


def has_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", default=os.path.join(HERE, "results", "side-by-side.csv"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "performance-ratios.png"))
    ap.add_argument("--last", type=int, default=8, help="runs to draw, newest last (0 = all)")
    ap.add_argument("--renderer", choices=("auto", "matplotlib", "builtin"), default="auto")
    args = ap.parse_args()

    scenarios, labels, values = load(args.csv, args.last)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    renderer = args.renderer
    if renderer == "auto":
        if has_matplotlib():
            renderer = "matplotlib"
        elif (os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3")
              and os.access("/usr/bin/python3", os.X_OK)
              and subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"],
                                 capture_output=True).returncode == 0):
            # Debian's python3-matplotlib lives under the system python, not a pyenv/venv one.
            os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__), "--csv", args.csv,
                                          "--out", args.out, "--last", str(args.last), "--renderer", "matplotlib"])
        else:
            renderer = "builtin"
    if renderer == "matplotlib":
        plot_matplotlib(scenarios, labels, values, args.out)
    else:
        plot_builtin(scenarios, labels, values, args.out)
    print(f"{args.out}: {len(labels)} run(s), {len(scenarios)} scenarios ({renderer})")


if __name__ == "__main__":
    main()
