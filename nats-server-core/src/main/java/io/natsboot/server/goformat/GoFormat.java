package io.natsboot.server.goformat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The one place for the text formats of Go's standard library that nats-server's output is made of:
 * {@code time.Duration.String()}, {@code time.RFC3339Nano}, {@code encoding/json} floats,
 * {@code strconv} parse errors and {@code strconv.Quote} ({@code %q}), and nats-server's own uptime style.
 * Log lines, -ERR texts, config errors and monitoring JSON all use these, so a value prints the same
 * wherever it appears. {@code GoFormatGoldenTest} checks them against strings printed by Go itself.
 */
public final class GoFormat {
    private GoFormat() {
    }

    /**
     * nats-server's uptime style (also used for {@code idle}): whole seconds as {@code 56s},
     * {@code 1m3s}, {@code 2h0m5s}, {@code 1d2h3m4s}, {@code 1y2d3h4m5s} (a year is 365 days).
     * Negative durations (clock steps) print as Go does, with the sign on each non-zero part.
     */
    public static String uptime(Duration d) {
        return uptimeSeconds(d.getSeconds() < 0 && d.getNano() > 0 ? d.getSeconds() + 1 : d.getSeconds());
    }

    /** {@link #uptime(Duration)} from a whole number of seconds. */
    public static String uptimeSeconds(long tsecs) {
        long tmins = tsecs / 60;
        long thrs = tmins / 60;
        long tdays = thrs / 24;
        long tyrs = tdays / 365;
        if (tyrs > 0) {
            return tyrs + "y" + tdays % 365 + "d" + thrs % 24 + "h" + tmins % 60 + "m" + tsecs % 60 + "s";
        }
        if (tdays > 0) {
            return tdays + "d" + thrs % 24 + "h" + tmins % 60 + "m" + tsecs % 60 + "s";
        }
        if (thrs > 0) {
            return thrs + "h" + tmins % 60 + "m" + tsecs % 60 + "s";
        }
        if (tmins > 0) {
            return tmins + "m" + tsecs % 60 + "s";
        }
        return tsecs + "s";
    }

    /** Go's {@code time.Duration.String()}: {@code 0s}, {@code 379µs}, {@code 1.2ms}, {@code 2m0s}, {@code 1h0m0.5s}. */
    public static String duration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        // Mirrors Go's algorithm: build right to left in a small buffer.
        char[] buf = new char[32];
        int w = buf.length;
        boolean neg = nanos < 0;
        // Go works on the unsigned magnitude; Long.MIN_VALUE has no positive counterpart, handled as unsigned.
        long u = neg ? -nanos : nanos;
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            // Sub-second: ns, µs or ms with a fraction.
            int prec;
            w--;
            buf[w] = 's';
            w--;
            if (u < 1_000L) {
                prec = 0;
                buf[w] = 'n';
            } else if (u < 1_000_000L) {
                prec = 3;
                buf[w] = 'µ';
            } else {
                prec = 6;
                buf[w] = 'm';
            }
            long[] out = fmtFrac(buf, w, u, prec);
            w = (int) out[0];
            u = out[1];
            w = fmtInt(buf, w, u);
        } else {
            w--;
            buf[w] = 's';
            long[] out = fmtFrac(buf, w, u, 9);
            w = (int) out[0];
            u = out[1];
            // u is now whole seconds.
            w = fmtInt(buf, w, Long.remainderUnsigned(u, 60));
            u = Long.divideUnsigned(u, 60);
            if (u > 0) {
                w--;
                buf[w] = 'm';
                w = fmtInt(buf, w, u % 60);
                u /= 60;
                if (u > 0) {
                    w--;
                    buf[w] = 'h';
                    w = fmtInt(buf, w, u);
                }
            }
        }
        if (neg) {
            w--;
            buf[w] = '-';
        }
        return new String(buf, w, buf.length - w);
    }

    /** Go's {@code time.Duration.String()}. */
    public static String duration(Duration d) {
        return duration(saturatedNanos(d));
    }

    /** Nanoseconds of {@code d}, clamped to the long range as Go's Duration is. */
    public static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static long[] fmtFrac(char[] buf, int w, long v, int prec) {
        boolean print = false;
        for (int i = 0; i < prec; i++) {
            long digit = Long.remainderUnsigned(v, 10);
            print = print || digit != 0;
            if (print) {
                w--;
                buf[w] = (char) ('0' + digit);
            }
            v = Long.divideUnsigned(v, 10);
        }
        if (print) {
            w--;
            buf[w] = '.';
        }
        return new long[] {w, v};
    }

    private static int fmtInt(char[] buf, int w, long v) {
        if (v == 0) {
            w--;
            buf[w] = '0';
        } else {
            while (v != 0) {
                w--;
                buf[w] = (char) ('0' + Long.remainderUnsigned(v, 10));
                v = Long.divideUnsigned(v, 10);
            }
        }
        return w;
    }

    /**
     * The {@code rtt} string of /connz and /routez: nats-server truncates to whole microseconds
     * between 1µs and 1ms, and reports {@code 0s} while unknown (negative here).
     */
    public static String rtt(long nanos) {
        if (nanos <= 0) {
            return "0s";
        }
        if (nanos > 1_000L && nanos < 1_000_000L) {
            nanos -= nanos % 1_000L;
        }
        return duration(nanos);
    }

    /**
     * Go's {@code time.RFC3339Nano} for a UTC time, as nats-server 2.9 writes every monitoring
     * timestamp: {@code 2026-11-22T19:24:48.042271672Z}, trailing zeros of the fraction dropped.
     */
    public static String rfc3339Nano(Instant t) {
        return rfc3339Nano(t, ZoneOffset.UTC);
    }

    /** Go's {@code time.RFC3339Nano} in a given offset ({@code Z} for UTC, else {@code +05:30}). */
    public static String rfc3339Nano(Instant t, ZoneOffset offset) {
        LocalDateTime l = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), offset);
        StringBuilder b = new StringBuilder(36);
        int year = l.getYear();
        if (year < 0 || year > 9999) {
            b.append(year);
        } else {
            pad(b, year, 4);
        }
        b.append('-');
        pad(b, l.getMonthValue(), 2);
        b.append('-');
        pad(b, l.getDayOfMonth(), 2);
        b.append('T');
        pad(b, l.getHour(), 2);
        b.append(':');
        pad(b, l.getMinute(), 2);
        b.append(':');
        pad(b, l.getSecond(), 2);
        int nanos = l.getNano();
        if (nanos != 0) {
            b.append('.');
            int digits = 9;
            while (nanos % 10 == 0) {
                nanos /= 10;
                digits--;
            }
            pad(b, nanos, digits);
        }
        int secs = offset.getTotalSeconds();
        if (secs == 0) {
            b.append('Z');
        } else {
            b.append(secs < 0 ? '-' : '+');
            int abs = Math.abs(secs);
            pad(b, abs / 3600, 2);
            b.append(':');
            pad(b, abs / 60 % 60, 2);
        }
        return b.toString();
    }

    private static void pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        b.append(s);
    }

    /**
     * A float64 as Go's {@code encoding/json} writes it: shortest round-trip digits, no exponent
     * between 1e-6 and 1e21 ({@code 2}, {@code 0.1}, {@code 0.7142857142857143}), otherwise
     * {@code 1e-7} / {@code 1.5e+21}. NaN and infinities are not valid JSON; they are written as 0.
     */
    public static String jsonFloat(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "0";
        }
        if (v == 0) {
            return (Double.doubleToRawLongBits(v) < 0) ? "-0" : "0";
        }
        double abs = Math.abs(v);
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        if (abs < 1e-6 || abs >= 1e21) {
            // Go 'e' format with the shortest digits: d[.ddd]e±XX, at least two exponent digits, then
            // encoding/json trims "e-0X" to "e-X".
            String digits = d.unscaledValue().abs().toString();
            int exp = digits.length() - 1 - d.scale();
            StringBuilder b = new StringBuilder();
            if (v < 0) {
                b.append('-');
            }
            b.append(digits.charAt(0));
            if (digits.length() > 1) {
                b.append('.').append(digits, 1, digits.length());
            }
            b.append('e').append(exp < 0 ? '-' : '+');
            int ae = Math.abs(exp);
            if (ae < 10 && exp >= 0) {
                b.append('0');
            }
            b.append(ae);
            return b.toString();
        }
        return d.toPlainString();
    }

    // ---- strconv --------------------------------------------------------------------------

    /** Thrown by the strconv look-alikes; the message is Go's {@code err.Error()}. */
    public static final class NumError extends Exception {
        private static final long serialVersionUID = 1L;

        NumError(String func, String input, String reason) {
            super("strconv." + func + ": parsing " + quote(input) + ": " + reason);
        }
    }

    /** Go's {@code strconv.ParseBool}. */
    public static boolean parseBool(String s) throws NumError {
        switch (s) {
            case "1": case "t": case "T": case "TRUE": case "true": case "True":
                return true;
            case "0": case "f": case "F": case "FALSE": case "false": case "False":
                return false;
            default:
                throw new NumError("ParseBool", s, "invalid syntax");
        }
    }

    /** Go's {@code strconv.Atoi} on a 64-bit platform. */
    public static long atoi(String s) throws NumError {
        if (s.isEmpty()) {
            throw new NumError("Atoi", s, "invalid syntax");
        }
        int i = 0;
        boolean neg = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            neg = s.charAt(0) == '-';
            i = 1;
            if (s.length() == 1) {
                throw new NumError("Atoi", s, "invalid syntax");
            }
        }
        BigDecimal limit = neg ? BigDecimal.valueOf(Long.MIN_VALUE).negate() : BigDecimal.valueOf(Long.MAX_VALUE);
        String digits = s.substring(i);
        for (int k = 0; k < digits.length(); k++) {
            char c = digits.charAt(k);
            if (c < '0' || c > '9') {
                throw new NumError("Atoi", s, "invalid syntax");
            }
        }
        BigDecimal v = new BigDecimal(digits);
        if (v.compareTo(limit) > 0) {
            throw new NumError("Atoi", s, "value out of range");
        }
        return neg ? v.negate().longValueExact() : v.longValueExact();
    }

    /** Go's {@code strconv.ParseUint(s, 10, 64)}; the result is an unsigned 64-bit value. */
    public static long parseUint(String s) throws NumError {
        if (s.isEmpty()) {
            throw new NumError("ParseUint", s, "invalid syntax");
        }
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                throw new NumError("ParseUint", s, "invalid syntax");
            }
        }
        BigDecimal v = new BigDecimal(s);
        if (v.compareTo(new BigDecimal("18446744073709551615")) > 0) {
            throw new NumError("ParseUint", s, "value out of range");
        }
        return v.toBigInteger().longValue();
    }

    /** Go's {@code strconv.Quote} ({@code %q}): a double-quoted Go string literal, non-printable runes escaped. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            appendQuotedRune(b, cp);
        }
        return b.append('"').toString();
    }

    private static void appendQuotedRune(StringBuilder b, int cp) {
        switch (cp) {
            case '"': b.append("\\\""); return;
            case '\\': b.append("\\\\"); return;
            case 7: b.append("\\a"); return;
            case '\b': b.append("\\b"); return;
            case '\f': b.append("\\f"); return;
            case '\n': b.append("\\n"); return;
            case '\r': b.append("\\r"); return;
            case '\t': b.append("\\t"); return;
            case 11: b.append("\\v"); return;
            default:
        }
        if (isPrint(cp)) {
            b.appendCodePoint(cp);
        } else if (cp < 0x80) {
            b.append(String.format("\\x%02x", cp));
        } else if (cp < 0x10000) {
            b.append(String.format("\\u%04x", cp));
        } else {
            b.append(String.format("\\U%08x", cp));
        }
    }

    /**
     * Go's {@code %q} of a byte string ({@code strconv.Quote(string(b))}): valid UTF-8 is decoded and
     * printable runes kept, each byte of an invalid sequence is written as {@code \xNN}.
     */
    public static String quote(byte[] bytes, int from, int to) {
        StringBuilder b = new StringBuilder(to - from + 2).append('"');
        int i = from;
        while (i < to) {
            int c = bytes[i] & 0xff;
            int len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
            int cp = decodeUtf8(bytes, i, to, len);
            if (cp < 0) {
                b.append(String.format("\\x%02x", c));
                i++;
                continue;
            }
            i += len;
            appendQuotedRune(b, cp);
        }
        return b.append('"').toString();
    }

    /** The rune of a {@code len}-byte UTF-8 sequence at {@code i}, or -1 if it is not valid (Go's rules). */
    private static int decodeUtf8(byte[] bytes, int i, int to, int len) {
        if (len == 0 || i + len > to) {
            return -1;
        }
        int c = bytes[i] & 0xff;
        if (len == 1) {
            return c;
        }
        int cp = c & (0xff >> (len + 1));
        for (int k = 1; k < len; k++) {
            int cc = bytes[i + k] & 0xff;
            if ((cc & 0xc0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        boolean overlong = len == 3 && cp < 0x800 || len == 4 && cp < 0x10000;
        boolean surrogate = cp >= 0xd800 && cp <= 0xdfff;
        return overlong || surrogate || cp > 0x10ffff ? -1 : cp;
    }

    private static boolean isPrint(int cp) {
        if (cp < 0x20 || cp == 0x7f) {
            return false;
        }
        if (cp < 0x7f) {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL: case Character.FORMAT: case Character.SURROGATE: case Character.PRIVATE_USE:
            case Character.UNASSIGNED: case Character.LINE_SEPARATOR: case Character.PARAGRAPH_SEPARATOR:
                return false;
            case Character.SPACE_SEPARATOR:
                return cp == 0x20;
            default:
                return true;
        }
    }

    /** An address as Go prints it: IPv6 in the RFC 5952 short form, no zone. */
    public static String ip(java.net.InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** Go's zero {@code time.Time} in JSON: what nats-server writes for a time never set. */
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    /** {@link #rfc3339Nano(Instant)}, or {@link #ZERO_TIME} for null. */
    public static String rfc3339NanoOrZero(Instant t) {
        return t == null ? ZERO_TIME : rfc3339Nano(t);
    }

    /** A time given as nanoseconds since the epoch (a store timestamp); 0 is Go's zero time. */
    public static String rfc3339NanoOfEpochNanos(long nanos) {
        if (nanos == 0) {
            return ZERO_TIME;
        }
        return rfc3339Nano(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L)));
    }

    /**
     * Go's {@code time.Time.String()} of a UTC time given as nanoseconds since the epoch, as nats-server writes
     * the {@code Nats-Time-Stamp} header: {@code 2026-12-07 20:31:22.746024321 +0000 UTC}, trailing zeros of the
     * fraction dropped. The same digits as {@link #rfc3339Nano(Instant)}, in the other layout.
     */
    public static String timeString(long nanos) {
        String r = rfc3339Nano(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L)));
        int t = r.indexOf('T');
        return r.substring(0, t) + ' ' + r.substring(t + 1, r.length() - 1) + " +0000 UTC";
    }

    /** Nanoseconds since the epoch of {@code t}. */
    public static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
