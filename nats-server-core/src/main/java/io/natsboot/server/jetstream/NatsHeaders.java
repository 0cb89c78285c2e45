package io.natsboot.server.jetstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads values from, and builds, NATS header blocks ({@code NATS/1.0[ status]\r\nKey: value\r\n...\r\n}). */
public final class NatsHeaders {
    private NatsHeaders() {
    }

    /** The first value of {@code name} (exact case, as nats-server's getHeader), or null. */
    public static String get(byte[] hdr, String name) {
        if (hdr == null || hdr.length == 0) {
            return null;
        }
        String s = new String(hdr, StandardCharsets.ISO_8859_1);
        int i = s.indexOf("\r\n");
        while (i >= 0 && i + 2 < s.length()) {
            int start = i + 2;
            int end = s.indexOf("\r\n", start);
            if (end < 0) {
                end = s.length();
            }
            if (end == start) {
                return null;
            }
            int colon = s.indexOf(':', start);
            if (colon > 0 && colon < end && s.regionMatches(start, name, 0, name.length())
                    && colon - start == name.length()) {
                return new String(hdr, colon + 1, end - colon - 1, StandardCharsets.ISO_8859_1).trim();
            }
            i = end;
        }
        return null;
    }

    /** A header block with an optional status line ("404 No Messages") and key/value pairs. */
    public static byte[] build(String status, String... kv) {
        StringBuilder b = new StringBuilder("NATS/1.0");
        if (status != null) {
            b.append(' ').append(status);
        }
        b.append("\r\n");
        for (int i = 0; i + 1 < kv.length; i += 2) {
            b.append(kv[i]).append(": ").append(kv[i + 1]).append("\r\n");
        }
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends headers to an existing block (or starts one). */
    public static byte[] append(byte[] hdr, List<String> kv) {
        if (hdr == null || hdr.length == 0) {
            return build(null, kv.toArray(new String[0]));
        }
        String s = new String(hdr, StandardCharsets.ISO_8859_1);
        StringBuilder b = new StringBuilder(s.substring(0, s.length() - 2));
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            b.append(kv.get(i)).append(": ").append(kv.get(i + 1)).append("\r\n");
        }
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    public static List<String> kv(String... kv) {
        return new ArrayList<>(List.of(kv));
    }
}
