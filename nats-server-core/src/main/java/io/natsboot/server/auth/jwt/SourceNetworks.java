package io.natsboot.server.auth.jwt;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** A user JWT's {@code src}: the client's address must lie in one of the CIDR blocks (nats-server's validateSrc). */
final class SourceNetworks {
    private SourceNetworks() {
    }

    static boolean allows(List<String> cidrs, String host) {
        if (cidrs.isEmpty()) {
            return true;
        }
        if (host == null || host.isEmpty() || !isLiteral(host)) {
            return false;
        }
        byte[] ip;
        try {
            ip = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        for (String cidr : cidrs) {
            int slash = cidr.indexOf('/');
            if (slash < 0 || !isLiteral(cidr.substring(0, slash))) {
                return false; // an invalid entry refuses, as Go's ParseCIDR error does
            }
            byte[] net;
            int bits;
            try {
                net = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
                bits = Integer.parseInt(cidr.substring(slash + 1));
            } catch (UnknownHostException | NumberFormatException e) {
                return false;
            }
            if (contains(net, bits, ip)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLiteral(String s) {
        return !s.isEmpty() && (s.indexOf(':') >= 0 || s.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch)));
    }

    private static boolean contains(byte[] net, int bits, byte[] ip) {
        byte[] a = ip;
        if (net.length == 4 && ip.length == 16 && isV4Mapped(ip)) {
            a = java.util.Arrays.copyOfRange(ip, 12, 16);
        }
        if (net.length != a.length || bits < 0 || bits > net.length * 8) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((net[i / 8] & mask) != (a[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isV4Mapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }
}
