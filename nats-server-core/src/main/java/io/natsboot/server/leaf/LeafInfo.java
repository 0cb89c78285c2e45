package io.natsboot.server.leaf;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.config.Versions;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.protocol.Json;
import io.nats.client.NKey;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The leaf-node INFO (accepting side) and CONNECT (soliciting side) lines, fields in nats-server 2.9.10's order
 * (observed on the binary: docs/clustering.md, "Leaf nodes"), and the {@code .creds} login of a remote.
 */
final class LeafInfo {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** nats-server's credsRe: the first armored block is the user JWT, the second the seed. */
    private static final Pattern CREDS = Pattern.compile(
            "\\s*(?:(?:-{3,}[^\\n]*-{3,}\\n)(.+)(?:\\n\\s*-{3,}[^\\n]*-{3,}\\n))");

    private LeafInfo() {
    }

    /** nats-server's nonce: 11 random bytes, base64url without padding. */
    static String nonce() {
        byte[] b = new byte[11];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * The leaf INFO of the accepting side: the first one carries {@code nonce}; the one answering CONNECT carries
     * {@code remoteAccount} and {@code connect_info} instead. The space before CRLF is nats-server's.
     */
    static byte[] info(ServerContext server, LeafNodes leafs, String nonce, long cid, String remoteAccount) {
        return info(server, leafs, nonce, cid, remoteAccount, null);
    }

    /**
     * The same, with the bound user's permissions (accepted side, answering CONNECT): {@code import} is its
     * subscribe and {@code export} its publish permission, for the spoke to enforce (nats-server's
     * sendPermsAndAccountInfo).
     */
    static byte[] info(ServerContext server, LeafNodes leafs, String nonce, long cid, String remoteAccount,
            io.natsboot.server.auth.Permissions user) {
        StringBuilder b = new StringBuilder(400).append("INFO {\"server_id\":");
        Json.quote(b, server.serverId());
        b.append(",\"server_name\":");
        Json.quote(b, server.serverName());
        b.append(",\"version\":");
        Json.quote(b, server.options().compatVersion());
        b.append(",\"proto\":1,\"go\":");
        Json.quote(b, Versions.runtimeVersion());
        b.append(",\"host\":");
        Json.quote(b, leafs.infoHost());
        b.append(",\"port\":").append(leafs.infoPort());
        b.append(",\"headers\":").append(!server.options().noHeaderSupport());
        b.append(",\"auth_required\":true");
        if (leafs.options().tls() != null) {
            b.append(",\"tls_required\":true");
            if (leafs.options().tls().verify()) {
                b.append(",\"tls_verify\":true");
            }
        }
        b.append(",\"max_payload\":").append(server.options().maxPayload());
        if (server.options().jetstream() != null && server.options().jetstream().enabled()) {
            b.append(",\"jetstream\":true");
        }
        b.append(",\"ip\":");
        Json.quote(b, leafs.infoHostPort());
        if (cid != 0) {
            b.append(",\"client_id\":").append(cid); // not in the asynchronous INFO of URL updates
        }
        if (nonce != null) {
            b.append(",\"nonce\":");
            Json.quote(b, nonce);
        }
        if (server.clusterName() != null) {
            b.append(",\"cluster\":");
            Json.quote(b, server.clusterName());
        }
        String domain = LeafJetStream.domain(server);
        if (!domain.isEmpty()) {
            b.append(",\"domain\":");
            Json.quote(b, domain);
        }
        // the websocket URLs of the cluster's other nodes (nats-server: not its own), for websocket remotes
        Json.stringArrayOmitEmpty(b, "ws_connect_urls", server.peerWebSocketUrls().urls());
        if (user != null) {
            LeafPermissions.appendJson(b, "import", user.subscribe());
            LeafPermissions.appendJson(b, "export", user.publish());
        }
        b.append(",\"info_on_connect\":true");
        if (remoteAccount != null) {
            b.append(",\"connect_info\":true");
        }
        b.append(",\"leafnode_urls\":[");
        // Always our own URL: a 2.9.10 leaf takes an INFO without leafnode_urls for a wrong port. no_advertise
        // only keeps it out of what a cluster gossips.
        List<String> urls = leafs.infoLeafUrls();
        for (int i = 0; i < urls.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Json.quote(b, urls.get(i));
        }
        b.append(']');
        if (remoteAccount != null) {
            b.append(",\"remote_account\":");
            Json.quote(b, remoteAccount);
        }
        b.append("} \r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The CONNECT of the soliciting side: credentials (user JWT and the nonce signed with the seed) take precedence
     * over the user of the URL. Throws with nats-server's log text when the credentials file cannot be used.
     */
    static byte[] connect(ServerContext server, LeafNodeOptions.Remote remote, URI url, String nonce,
            boolean headers, boolean tls) throws IOException {
        StringBuilder b = new StringBuilder(400).append("CONNECT {\"version\":");
        Json.quote(b, server.options().compatVersion());
        if (remote.credentials() != null && !remote.credentials().isEmpty()) {
            String[] creds = readCreds(remote.credentials());
            b.append(",\"jwt\":");
            Json.quote(b, creds[0]);
            b.append(",\"sig\":");
            Json.quote(b, sign(creds[1], nonce));
        } else {
            String info = url.getRawUserInfo();
            if (info == null) {
                for (URI u : remote.urls()) {
                    if (u.getRawUserInfo() != null) {
                        info = u.getRawUserInfo();
                        break;
                    }
                }
            }
            if (info != null) {
                int colon = info.indexOf(':');
                String user = decode(colon < 0 ? info : info.substring(0, colon));
                String pass = colon < 0 ? "" : decode(info.substring(colon + 1));
                b.append(",\"user\":");
                Json.quote(b, user);
                if (!pass.isEmpty()) {
                    b.append(",\"pass\":");
                    Json.quote(b, pass);
                }
            }
        }
        b.append(",\"tls_required\":").append(tls).append(",\"server_id\":");
        Json.quote(b, server.serverId());
        String domain = LeafJetStream.domain(server);
        if (!domain.isEmpty()) {
            b.append(",\"domain\":");
            Json.quote(b, domain);
        }
        b.append(",\"name\":");
        Json.quote(b, server.serverName());
        if (remote.hub()) {
            b.append(",\"is_hub\":true");
        }
        // nats-server 2.9.10: without a cluster, a configured server_name stands for the cluster name here.
        String cluster = server.clusterName() != null ? server.clusterName() : server.options().serverName();
        if (cluster != null && !cluster.isEmpty()) {
            b.append(",\"cluster\":");
            Json.quote(b, cluster);
        }
        if (headers && !server.options().noHeaderSupport()) {
            b.append(",\"headers\":true");
        }
        if (LeafJetStream.enabled(server)) {
            b.append(",\"jetstream\":true");
        }
        if (!remote.denyImports().isEmpty()) {
            Json.stringArrayOmitEmpty(b, "deny_pub", remote.denyImports());
        }
        b.append("}\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The user JWT and the seed of a {@code .creds} file. */
    static String[] readCreds(String file) throws IOException {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IOException("open " + file + ": no such file or directory", e);
        }
        Matcher m = CREDS.matcher(text);
        List<String> items = new ArrayList<>();
        while (m.find()) {
            items.add(m.group(1).trim());
        }
        if (items.size() < 2) {
            throw new IOException("Credentials file malformed");
        }
        return new String[] {items.get(0), items.get(1)};
    }

    /** The nonce signed with the seed's Ed25519 key (jnats' NKey), base64url without padding. */
    static String sign(String seed, String nonce) throws IOException {
        char[] chars = seed.toCharArray();
        try {
            NKey key = NKey.fromSeed(chars);
            byte[] sig = key.sign(nonce.getBytes(StandardCharsets.UTF_8));
            key.clear();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("Credentials file has malformed seed", e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }
}
