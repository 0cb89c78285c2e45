package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * /leafz (with subs) and /varz's {@code leaf} object and {@code leafnodes} count: the same keys (and the same
 * advertised subjects) as nats-server 2.9.10, for a hub and for a leaf.
 */
@RequiresBinary("nats-server")
class LeafMonitorDifferentialTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> get(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return (Map<String, Object>) Json.parse(r.body());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstLeaf(Map<String, Object> leafz) {
        return (Map<String, Object>) ((List<Object>) leafz.get("leafs")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static void sameShape(Map<String, Object> mine, Map<String, Object> theirs, String what) {
        assertThat(List.copyOf(mine.keySet())).as(what).isEqualTo(List.copyOf(theirs.keySet()));
        assertThat(mine.get("leafnodes")).as(what + " leafnodes").isEqualTo(theirs.get("leafnodes"));
        Map<String, Object> ml = new java.util.LinkedHashMap<>(firstLeaf(mine));
        Map<String, Object> tl = new java.util.LinkedHashMap<>(firstLeaf(theirs));
        if (!tl.containsKey("rtt")) {
            ml.remove("rtt"); // omitted until the first PONG
        }
        if (!ml.containsKey("rtt")) {
            tl.remove("rtt");
        }
        assertThat(List.copyOf(ml.keySet())).as(what + " leaf object").isEqualTo(List.copyOf(tl.keySet()));
        assertThat(ml.get("account")).isEqualTo(tl.get("account"));
        assertThat(ml.get("subscriptions")).as(what + " subscriptions").isEqualTo(tl.get("subscriptions"));
        assertThat(normalized((List<Object>) ml.get("subscriptions_list")))
                .isEqualTo(normalized((List<Object>) tl.get("subscriptions_list")));
    }

    private static TreeSet<String> normalized(List<Object> subs) {
        TreeSet<String> out = new TreeSet<>();
        for (Object s : subs == null ? new ArrayList<>() : subs) {
            out.add(String.valueOf(s).replaceAll("\\$LDS\\.[A-Za-z0-9]+", "\\$LDS.<id>"));
        }
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void leafzAndVarzHaveNatsServersShape() throws Exception {
        try (GoLeafNode goHub = GoLeafNode.start("GOHUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer ourLeaf = RunningServer.start(b -> b.serverName("OURLEAF").httpPort(-1).leafnodes(
                     LeafNodeOptions.remotes(List.of(LeafNodeOptions.Remote.of(URI.create(goHub.leafUrl()), null)))));
             RunningServer ourHub = RunningServer.start(b -> b.serverName("OURHUB").httpPort(-1)
                     .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
             GoLeafNode goLeaf = GoLeafNode.start("GOLEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                     + ourHub.server().leafNodes().port() + "\" } ] }")) {
            awaitLeafs(goHub, 1);
            awaitLeafs(ourLeaf, 1);
            awaitLeafs(ourHub, 1);
            awaitLeafs(goLeaf, 1);
            int ourLeafHttp = ourLeaf.server().monitor().port();
            int ourHubHttp = ourHub.server().monitor().port();
            // Both hubs hold the same interest from their leafs once the bursts are in.
            Waits.upTo("the bursts", Duration.ofSeconds(5)).until(() ->
                    firstLeaf(get(ourHubHttp, "/leafz?subs=1")).get("subscriptions")
                            .equals(firstLeaf(get(goHub.httpPort, "/leafz?subs=1")).get("subscriptions"))
                    && firstLeaf(get(ourLeafHttp, "/leafz?subs=1")).get("subscriptions")
                            .equals(firstLeaf(get(goLeaf.httpPort, "/leafz?subs=1")).get("subscriptions")));
            sameShape(get(ourHubHttp, "/leafz?subs=1"), get(goHub.httpPort, "/leafz?subs=1"), "hub /leafz");
            sameShape(get(ourLeafHttp, "/leafz?subs=1"), get(goLeaf.httpPort, "/leafz?subs=1"), "leaf /leafz");
            assertThat(firstLeaf(get(ourHubHttp, "/leafz"))).doesNotContainKey("subscriptions_list");

            Map<String, Object> hubVarz = get(ourHubHttp, "/varz");
            Map<String, Object> goHubVarz = get(goHub.httpPort, "/varz");
            Map<String, Object> leafVarz = get(ourLeafHttp, "/varz");
            Map<String, Object> goLeafVarz = get(goLeaf.httpPort, "/varz");
            assertThat(List.copyOf(((Map<String, Object>) hubVarz.get("leaf")).keySet()))
                    .isEqualTo(List.copyOf(((Map<String, Object>) goHubVarz.get("leaf")).keySet()));
            assertThat(((Number) ((Map<String, Object>) hubVarz.get("leaf")).get("port")).intValue())
                    .isEqualTo(ourHub.server().leafNodes().port());
            Map<String, Object> remote = (Map<String, Object>) ((List<Object>) ((Map<String, Object>)
                    leafVarz.get("leaf")).get("remotes")).get(0);
            Map<String, Object> goRemote = (Map<String, Object>) ((List<Object>) ((Map<String, Object>)
                    goLeafVarz.get("leaf")).get("remotes")).get(0);
            assertThat(List.copyOf(((Map<String, Object>) leafVarz.get("leaf")).keySet()))
                    .isEqualTo(List.copyOf(((Map<String, Object>) goLeafVarz.get("leaf")).keySet()));
            assertThat(List.copyOf(remote.keySet())).isEqualTo(List.copyOf(goRemote.keySet()));
            assertThat(remote.get("local_account")).isEqualTo("$G");
            assertThat(hubVarz.get("leafnodes")).isEqualTo(goHubVarz.get("leafnodes"));
            assertThat(((Number) leafVarz.get("leafnodes")).intValue()).isEqualTo(1);
        }
    }
}
