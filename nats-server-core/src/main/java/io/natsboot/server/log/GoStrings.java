package io.natsboot.server.log;

/** Go's {@code %q} quoting of a string, for messages that must read exactly as nats-server's. */
public final class GoStrings {
    private GoStrings() {
    }

    /** Double-quotes {@code s}, escaping quotes, backslashes and control characters as {@code \xNN}. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
