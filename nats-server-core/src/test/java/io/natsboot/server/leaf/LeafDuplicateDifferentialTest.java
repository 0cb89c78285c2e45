package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second leaf connection from the same remote server (CONNECT name and cluster) in the same account replaces the
 * first: nats-server 2.9.10 sends the old one {@code -ERR 'Duplicate Remote LeafNode Connection'} and closes it.
 * Leafs without a name, or of another cluster, are not taken for each other. Fake spokes on raw sockets, the same
 * sequence against nats-server and ours.
 */
@RequiresBinary("nats-server")
class LeafDuplicateDifferentialTest {
    @TempDir
    Path dir;

    /** A fake spoke: CONNECT with {@code fields} and a PING, read up to its PONG. */
    private static RawClient spoke(int leafPort, String fields) throws Exception {
        RawClient c = new RawClient(leafPort);
        c.readInfo();
        c.send("CONNECT {\"headers\":true" + fields + "}\r\nPING\r\n");
        String line;
        while ((line = c.readLine()) != null && !line.equals("PONG\r\n")) {
            assertThat(line).doesNotStartWith("-ERR");
        }
        return c;
    }

    /** What became of each spoke: the -ERR and close, or (still open) a PING round trip. */
    private static List<String> scenario(int leafPort) throws Exception {
        List<RawClient> all = new ArrayList<>();
        try {
            all.add(spoke(leafPort, ",\"name\":\"SPK\""));
            all.add(spoke(leafPort, ",\"name\":\"SPK\""));
            all.add(spoke(leafPort, ",\"name\":\"SPK2\",\"cluster\":\"x\""));
            all.add(spoke(leafPort, ",\"name\":\"SPK2\",\"cluster\":\"y\""));
            all.add(spoke(leafPort, ""));
            all.add(spoke(leafPort, ""));
            all.add(spoke(leafPort, ",\"name\":\"SPK3\",\"remote_account\":\"R1\""));
            all.add(spoke(leafPort, ",\"name\":\"SPK3\",\"remote_account\":\"R2\""));
            List<String> out = new ArrayList<>();
            for (RawClient c : all) {
                out.add(LeafLiveAccountUpdatesDifferentialTest.fate(c));
            }
            return out;
        } finally {
            for (RawClient c : all) {
                c.close();
            }
        }
    }

    @Test
    void aLeafFromTheSameServerReplacesTheOldOneAsNatsServerDoes() throws Exception {
        List<String> theirs;
        try (GoLeafNode hub = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }")) {
            theirs = scenario(hub.leafPort);
        }
        int leafPort = GoLeafNode.freePort();
        Path conf = dir.resolve("hub.conf");
        Files.writeString(conf, "server_name: HUB\nleafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
        List<String> mine;
        try (RunningServer hub = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        })) {
            mine = scenario(leafPort);
            assertThat(hub.log().lines()).anyMatch(l -> l.contains("Replacing connection from same server"));
        }
        String dup = "-ERR 'Duplicate Remote LeafNode Connection'\r\n<closed>";
        String open = "<open>PONG\r\n";
        assertThat(theirs).containsExactly(dup, open, open, open, open, open, dup, open);
        assertThat(mine).isEqualTo(theirs);
    }
}
