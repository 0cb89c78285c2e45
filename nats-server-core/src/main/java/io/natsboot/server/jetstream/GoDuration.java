package io.natsboot.server.jetstream;

/** Go's time.Duration.String() ("1.5s", "200ms", "1m0s"). */
final class GoDuration {
    private GoDuration() {
    }

    static String format(long d) {
        if (d == 0) {
            return "0s";
        }
        boolean neg = d < 0;
        long u = Math.abs(d);
        String out;
        if (u < 1_000_000_000L) {
            if (u < 1_000) {
                out = u + "ns";
            } else if (u < 1_000_000) {
                out = frac(u, 1_000) + "µs";
            } else {
                out = frac(u, 1_000_000) + "ms";
            }
        } else {
            long h = u / 3_600_000_000_000L;
            long rem = u % 3_600_000_000_000L;
            long m = rem / 60_000_000_000L;
            rem = rem % 60_000_000_000L;
            String s = frac(rem, 1_000_000_000L) + "s";
            out = h > 0 ? h + "h" + m + "m" + s : m > 0 ? m + "m" + s : s;
        }
        return neg ? "-" + out : out;
    }

    private static String frac(long v, long unit) {
        long whole = v / unit;
        long f = v % unit;
        if (f == 0) {
            return Long.toString(whole);
        }
        String fs = String.format("%0" + Long.toString(unit).length() + "d", f).substring(1);
        fs = fs.replaceAll("0+$", "");
        return whole + "." + fs;
    }
}
