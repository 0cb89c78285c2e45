package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub advertises the local subjects of the bound account's service imports to a leaf as interest in its first
 * burst (nats-server 2.9.10's import subscriptions), configured accounts as JWT ones: the same burst from
 * nats-server and ours for a leaf bound to an account importing a service under another subject.
 */
@RequiresBinary("nats-server")
class LeafServiceImportInterestTest {
    @TempDir
    Path dir;

    private static final String ACCOUNTS = "accounts { A { exports: [ {service: \"svc.>\"} ] },"
            + " B { imports: [ {service: {account: A, subject: \"svc.q\"}, to: \"local.q\"} ] } }\n";

    /** The LS+ lines (but the loop-detection one) a leaf bound to B gets up to the PONG, sorted. */
    private static List<String> burst(int leafPort) throws Exception {
        try (RawClient c = new RawClient(leafPort)) {
            c.readInfo();
            c.send("CONNECT {\"user\":\"l\",\"pass\":\"l\",\"name\":\"X\",\"headers\":true}\r\nPING\r\n");
            List<String> subs = new ArrayList<>();
            String line;
            while ((line = c.readLine()) != null && !line.equals("PONG\r\n")) {
                if (line.startsWith("LS+ ") && !line.startsWith("LS+ $LDS.")) {
                    subs.add(line.trim());
                }
            }
            Collections.sort(subs);
            return subs;
        }
    }

    @Test
    void theFirstBurstCarriesTheServiceImportsAsNatsServers() throws Exception {
        String leafBlock = "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\", authorization { users: [ {user: l,"
                + " password: l, account: B} ] } }";
        List<String> theirs;
        try (GoLeafNode hub = GoLeafNode.start("HUB", ACCOUNTS + leafBlock)) {
            theirs = burst(hub.leafPort);
        }
        assertThat(theirs).contains("LS+ local.q");
        int leafPort = GoLeafNode.freePort();
        Path conf = dir.resolve("hub.conf");
        Files.writeString(conf, "server_name: HUB\n" + ACCOUNTS
                + leafBlock.replace("%LEAFPORT%", Integer.toString(leafPort)) + "\n");
        try (RunningServer hub = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        })) {
            assertThat(burst(leafPort)).isEqualTo(theirs);
        }
    }
}
