package io.natsboot.server.auth;

import io.natsboot.server.goformat.GoFormat;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * TLS {@code verify_and_map}: which configured user a client certificate names, in nats-server 2.9's order.
 * <ol>
 * <li>the certificate's e-mail SANs, DNS SANs and URI SANs, each looked up as a user name;</li>
 * <li>the subject as an LDAP distinguished name: a user whose name parses as a DN equal to the subject
 *     (attribute types case-insensitive, values exact), then one with the same RDNs in another order;</li>
 * <li>the subject as Go's {@code pkix.Name} prints it with the domain components appended, then without.</li>
 * </ol>
 * Go prints only the nine attributes its {@code pkix.Name} has fields for, in its own order (serial number,
 * CN, OU, O, postal code, street, L, ST, C), so an {@code emailAddress} or {@code UID} attribute is left out
 * of that string, and a subject holding one is no DN either. The debug lines are nats-server's.
 */
public final class CertificateUserMap {
    private static final String OID_DC = "0.9.2342.19200300.100.1.25";

    /** The attribute types nats-server's DN matching knows (a subject with any other is not matched as a DN). */
    private static final Map<String, String> DN_TYPES = Map.of("2.5.4.3", "CN", "2.5.4.5", "SERIALNUMBER",
            "2.5.4.6", "C", "2.5.4.7", "L", "2.5.4.8", "ST", "2.5.4.9", "STREET", "2.5.4.10", "O",
            "2.5.4.11", "OU", "2.5.4.17", "POSTALCODE", OID_DC, "DC");

    /** Go's pkix.Name.ToRDNSequence order (reversed when printed), with the printed type names. */
    private static final String[][] GO_NAME_ORDER = {{"2.5.4.6", "C"}, {"2.5.4.8", "ST"}, {"2.5.4.7", "L"},
        {"2.5.4.9", "STREET"}, {"2.5.4.17", "POSTALCODE"}, {"2.5.4.10", "O"}, {"2.5.4.11", "OU"},
        {"2.5.4.3", "CN"}, {"2.5.4.5", "SERIALNUMBER"}};

    private CertificateUserMap() {
    }

    /**
     * The user the peer's certificate names, or null.
     *
     * @param chain the peer's certificates, leaf first (empty without a client certificate)
     * @param users the configured user/password users (nkey users never match)
     * @param debug receives nats-server's debug lines, without the connection prefix
     */
    public static User find(Certificate[] chain, Collection<User> users, Consumer<String> debug) {
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            debug.accept("User required in cert, no peer certificates found");
            return null;
        }
        if (chain.length > 1) {
            debug.accept("Multiple peer certificates found, selecting first");
        }
        // a map by name, later entries winning, as nats-server's users map
        Map<String, User> byName = new LinkedHashMap<>();
        for (User u : users) {
            if (!u.isNkey()) {
                byName.put(u.username(), u);
            }
        }
        List<String> emails = altNames(cert, 1);
        List<String> dnsNames = altNames(cert, 2);
        List<String> uris = altNames(cert, 6);
        List<List<Atv>> rdns = parseName(cert.getSubjectX500Principal().getEncoded());
        boolean hasSubject = rdns != null && rdns.stream().anyMatch(r -> !r.isEmpty());
        if (emails.isEmpty() && !hasSubject && uris.isEmpty()) {
            debug.accept("User required in cert, none found");
            return null;
        }
        Map<String, List<String>> sans = new LinkedHashMap<>();
        sans.put("email", emails);
        sans.put("SAN", dnsNames);
        sans.put("URI", uris);
        for (Map.Entry<String, List<String>> kind : sans.entrySet()) {
            for (String n : kind.getValue()) {
                User u = byName.get(n);
                if (u != null) {
                    debug.accept("Using " + kind.getKey() + " found in cert for auth [" + GoFormat.quote(u.username()) + "]");
                    return u;
                }
            }
        }
        List<List<Atv>> seq = rdns == null ? List.of() : rdns;
        String rdn = goNameString(seq);
        List<List<Atv>> dn = rdns == null ? null : certificateDn(rdns);
        if (dn != null) {
            User u = matchDn(dn, byName.values());
            if (u != null) {
                debug.accept("Using DistinguishedNameMatch for auth [" + GoFormat.quote(u.username()) + "]");
                return u;
            }
            debug.accept("DistinguishedNameMatch could not be used for auth [" + GoFormat.quote(rdn) + "]");
        }
        if (rdns != null) {
            List<String> dcs = new ArrayList<>();
            for (List<Atv> r : rdns) {
                for (Atv a : r) {
                    if (a.type.equals(OID_DC) && a.value != null) {
                        dcs.add("DC=" + a.value);
                    }
                }
            }
            if (!dcs.isEmpty()) {
                String withDcs = rdn + "," + String.join(",", dcs);
                User u = byName.get(withDcs);
                if (u != null) {
                    debug.accept("Using RDNSequence for auth [" + GoFormat.quote(u.username()) + "]");
                    return u;
                }
                debug.accept("RDNSequence could not be used for auth [" + GoFormat.quote(withDcs) + "]");
            }
        }
        User u = byName.get(rdn);
        if (u != null) {
            debug.accept("Using certificate subject for auth [" + GoFormat.quote(u.username()) + "]");
            return u;
        }
        debug.accept("User in cert [" + GoFormat.quote(rdn) + "], not found");
        return null;
    }

    /** Subject alternative names of one type (1 e-mail, 2 DNS, 6 URI), in certificate order. */
    private static List<String> altNames(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> n : all) {
                    if (n.size() >= 2 && n.get(0) instanceof Integer t && t == type && n.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // Go would have refused the certificate; here it only names nobody by SAN
        }
        return out;
    }

    /**
     * One attribute: its type (the OID as read from the certificate, or the name a DN string uses) and its
     * value when it is one of the ASN.1 string types (else null).
     */
    record Atv(String type, String value) {
    }

    // ---- the subject as a distinguished name ----

    /** The certificate subject as a DN, most specific RDN first; null if it has a type or value we cannot name. */
    private static List<List<Atv>> certificateDn(List<List<Atv>> rdns) {
        List<List<Atv>> dn = new ArrayList<>();
        for (int i = rdns.size() - 1; i >= 0; i--) {
            List<Atv> r = rdns.get(i);
            if (r.isEmpty()) {
                continue;
            }
            List<Atv> named = new ArrayList<>();
            for (int j = r.size() - 1; j >= 0; j--) {
                Atv a = r.get(j);
                String type = DN_TYPES.get(a.type);
                if (type == null || a.value == null) {
                    return null;
                }
                named.add(new Atv(type, a.value));
            }
            dn.add(named);
        }
        return dn;
    }

    /** A user whose name is a DN equal to the certificate's, else one with the same RDNs in any order. */
    private static User matchDn(List<List<Atv>> certDn, Collection<User> users) {
        Map<User, List<List<Atv>>> parsed = new LinkedHashMap<>();
        for (User u : users) {
            List<List<Atv>> dn = parseDn(u.username());
            if (dn == null) {
                continue;
            }
            if (dn.size() == certDn.size()) {
                boolean equal = true;
                for (int i = 0; i < dn.size() && equal; i++) {
                    equal = sameRdn(dn.get(i), certDn.get(i));
                }
                if (equal) {
                    return u;
                }
            }
            parsed.put(u, dn);
        }
        for (Map.Entry<User, List<List<Atv>>> e : parsed.entrySet()) {
            List<List<Atv>> dn = e.getValue();
            if (dn.size() != certDn.size()) {
                continue;
            }
            boolean all = dn.stream().allMatch(r -> certDn.stream().anyMatch(c -> sameRdn(r, c)));
            if (all) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Same number of attributes, each found in the other; types compare case-insensitively, values exactly. */
    private static boolean sameRdn(List<Atv> a, List<Atv> b) {
        return a.size() == b.size() && containsAll(a, b) && containsAll(b, a);
    }

    private static boolean containsAll(List<Atv> in, List<Atv> of) {
        for (Atv x : of) {
            boolean found = false;
            for (Atv y : in) {
                if (y.type.equalsIgnoreCase(x.type) && y.value.equals(x.value)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /**
     * An RFC 4514 DN string as go-ldap's ParseDN reads it (leading and trailing unescaped spaces dropped,
     * {@code \,} style and hex escapes, {@code +} joining attributes of one RDN); null if it is not one.
     * The type is kept as written.
     */
    static List<List<Atv>> parseDn(String s) {
        List<List<Atv>> dn = new ArrayList<>();
        List<Atv> rdn = new ArrayList<>();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        String type = "";
        boolean escaping = false;
        int trailingSpaces = 0;
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            byte c = in[i];
            if (escaping) {
                trailingSpaces = 0;
                escaping = false;
                if (" \"#+,;<=>\\".indexOf(c) >= 0) {
                    bytes.write(c);
                    continue;
                }
                if (i + 1 >= in.length) {
                    return null;
                }
                int hi = Character.digit(c, 16);
                int lo = Character.digit(in[i + 1], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i++;
            } else if (c == '\\') {
                trailingSpaces = 0;
                escaping = true;
            } else if (c == '=') {
                type = take(bytes, trailingSpaces);
                trailingSpaces = 0;
                if (i + 1 < in.length && in[i + 1] == '#') {
                    return null; // BER-encoded values are not supported, as go-ldap
                }
            } else if (c == ',' || c == '+') {
                if (type.isEmpty()) {
                    return null;
                }
                rdn.add(new Atv(type, take(bytes, trailingSpaces)));
                trailingSpaces = 0;
                type = "";
                if (c == ',') {
                    dn.add(rdn);
                    rdn = new ArrayList<>();
                }
            } else if (c == ' ' && bytes.size() == 0) {
                continue;
            } else {
                trailingSpaces = c == ' ' ? trailingSpaces + 1 : 0;
                bytes.write(c);
            }
        }
        if (bytes.size() > 0) {
            if (type.isEmpty()) {
                return null;
            }
            rdn.add(new Atv(type, take(bytes, trailingSpaces)));
            dn.add(rdn);
        }
        return dn;
    }

    private static String take(java.io.ByteArrayOutputStream bytes, int trailingSpaces) {
        byte[] b = bytes.toByteArray();
        bytes.reset();
        return new String(b, 0, b.length - trailingSpaces, StandardCharsets.UTF_8);
    }

    // ---- the subject as Go prints it ----

    /**
     * Go's {@code cert.Subject.ToRDNSequence().String()}: the nine named attributes regrouped in pkix.Name's
     * order (all values of a type in one RDN, the last CN and serial number only), printed last group first.
     */
    static String goNameString(List<List<Atv>> rdns) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (List<Atv> r : rdns) {
            for (Atv a : r) {
                if (a.value == null) {
                    continue;
                }
                if (a.type.equals("2.5.4.3") || a.type.equals("2.5.4.5")) {
                    values.put(a.type, new ArrayList<>(List.of(a.value))); // one field: the last wins
                } else {
                    values.computeIfAbsent(a.type, k -> new ArrayList<>()).add(a.value);
                }
            }
        }
        List<String> groups = new ArrayList<>();
        for (String[] t : GO_NAME_ORDER) {
            List<String> v = values.get(t[0]);
            if (v == null || v.isEmpty() || (v.size() == 1 && v.get(0).isEmpty() && isSingleField(t[0]))) {
                continue;
            }
            StringBuilder g = new StringBuilder();
            for (String value : v) {
                if (g.length() > 0) {
                    g.append('+');
                }
                g.append(t[1]).append('=').append(goEscape(value));
            }
            groups.add(g.toString());
        }
        StringBuilder sb = new StringBuilder();
        for (int i = groups.size() - 1; i >= 0; i--) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(groups.get(i));
        }
        return sb.toString();
    }

    /** CN and serial number are single strings in pkix.Name: empty means absent. */
    private static boolean isSingleField(String oid) {
        return oid.equals("2.5.4.3") || oid.equals("2.5.4.5");
    }

    /**
     * Go's RDNSequence.String escaping: , + " \ < > ; always, a space first or last, # first. "Last" is by
     * UTF-8 byte offset, as Go ranges over the string's bytes.
     */
    private static String goEscape(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 4);
        int lastByte = v.getBytes(StandardCharsets.UTF_8).length - 1;
        int byteIndex = 0;
        for (int i = 0; i < v.length(); ) {
            int cp = v.codePointAt(i);
            boolean escape = switch (cp) {
                case ',', '+', '"', '\\', '<', '>', ';' -> true;
                case ' ' -> byteIndex == 0 || byteIndex == lastByte;
                case '#' -> byteIndex == 0;
                default -> false;
            };
            if (escape) {
                sb.append('\\');
            }
            sb.appendCodePoint(cp);
            byteIndex += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    // ---- DER ----

    /**
     * The RDN sequence of a DER Name (SEQUENCE OF SET OF SEQUENCE {OID, value}); string values decoded,
     * others null. Null when the bytes are not such a Name.
     */
    static List<List<Atv>> parseName(byte[] der) {
        try {
            Der top = new Der(der, 0, der.length);
            Der seq = top.next(0x30);
            List<List<Atv>> out = new ArrayList<>();
            while (seq.more()) {
                Der set = seq.next(0x31);
                List<Atv> rdn = new ArrayList<>();
                while (set.more()) {
                    Der atv = set.next(0x30);
                    String oid = oid(atv.nextBytes(0x06));
                    int tag = atv.peekTag();
                    byte[] v = atv.nextBytes(-1);
                    rdn.add(new Atv(oid, stringValue(tag, v)));
                }
                out.add(rdn);
            }
            return out;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** The ASN.1 string types Go's asn1 decodes into a string. */
    private static String stringValue(int tag, byte[] v) {
        return switch (tag) {
            case 0x0c -> new String(v, StandardCharsets.UTF_8);
            case 0x12, 0x13, 0x14, 0x16 -> new String(v, StandardCharsets.ISO_8859_1);
            case 0x1e -> new String(v, StandardCharsets.UTF_16BE);
            default -> null;
        };
    }

    private static String oid(byte[] b) {
        StringBuilder sb = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte x : b) {
            value = (value << 7) | (x & 0x7f);
            if ((x & 0x80) == 0) {
                if (first) {
                    int a = value < 80 ? (int) (value / 40) : 2;
                    sb.append(a).append('.').append(value - 40L * a);
                    first = false;
                } else {
                    sb.append('.').append(value);
                }
                value = 0;
            }
        }
        return sb.toString();
    }

    /** A cursor over DER TLVs between two offsets. */
    private static final class Der {
        private final byte[] b;
        private int pos;
        private final int end;

        Der(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int peekTag() {
            return b[pos] & 0xff;
        }

        /** The next element's contents (its tag checked unless {@code tag} is -1). */
        byte[] nextBytes(int tag) {
            int[] range = range(tag);
            return java.util.Arrays.copyOfRange(b, range[0], range[1]);
        }

        Der next(int tag) {
            int[] range = range(tag);
            return new Der(b, range[0], range[1]);
        }

        private int[] range(int tag) {
            if (pos >= end) {
                throw new IllegalArgumentException("end of data");
            }
            int t = b[pos++] & 0xff;
            if (tag >= 0 && t != tag) {
                throw new IllegalArgumentException("tag " + t + " where " + tag + " expected");
            }
            int len = b[pos++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException("length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos++] & 0xff);
                }
            }
            int start = pos;
            pos += len;
            if (pos > end) {
                throw new IllegalArgumentException("truncated");
            }
            return new int[] {start, pos};
        }
    }

}
