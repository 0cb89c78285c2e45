package io.natsboot.server.cluster;

import io.natsboot.server.connection.Subscription;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting helpers for cluster tests: routes form and interest propagates asynchronously. */
final class ClusterTestSupport {
    private ClusterTestSupport() {
    }

    static RunningServer node(String name, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("TEST")
                .routes(java.util.List.of(routes)));
    }

    static RunningServer nodeIn(String cluster, String name, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName(cluster)
                .routes(java.util.List.of(routes)));
    }

    static String routeUrl(RunningServer s) {
        return "nats://127.0.0.1:" + s.server().cluster().port();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Waits.upTo(what, timeout).until(condition::getAsBoolean);
    }

    static int routes(RunningServer s) {
        return s.server().cluster().registered().size();
    }

    static void awaitMesh(RunningServer... nodes) {
        await("a full mesh of " + nodes.length, Duration.ofSeconds(10), () -> {
            for (RunningServer n : nodes) {
                if (routes(n) != nodes.length - 1) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Route interest entries on {@code s} matching {@code subject} (plain and queue members). */
    static int routeInterest(RunningServer s, String subject) {
        MatchResult<Subscription> r = s.server().context().trie().match(subject);
        int n = 0;
        for (int i = 0; i < r.plainCount(); i++) {
            if (r.plain(i).route() != null) {
                n++;
            }
        }
        for (int g = 0; g < r.queueGroupCount(); g++) {
            for (int k = 0; k < r.queueGroupSize(g); k++) {
                if (r.queueMember(g, k).route() != null) {
                    n++;
                }
            }
        }
        return n;
    }

    static void awaitRouteInterest(RunningServer s, String subject, int count) {
        await(count + " route interest entries for " + subject + " on " + s.server().context().serverName(),
                Duration.ofSeconds(5), () -> routeInterest(s, subject) == count);
    }
}
