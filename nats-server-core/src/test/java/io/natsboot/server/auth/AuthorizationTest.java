package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.auth.Permissions.ResponsePermission;
import io.natsboot.server.auth.Permissions.SubjectPermission;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Users, bcrypt passwords, permissions and their reload, seen by the jnats client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthorizationTest {
    /** "s3cret", hashed by Python's bcrypt. */
    private static final String S3CRET = "$2b$05$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZa.";

    private static Permissions perms(List<String> pubAllow, List<String> pubDeny, List<String> subAllow,
            List<String> subDeny, ResponsePermission resp) {
        return new Permissions(new SubjectPermission(pubAllow, pubDeny), new SubjectPermission(subAllow, subDeny),
                resp);
    }

    private static Connection connect(RunningServer s, String user, String pass, BlockingQueue<String> errors)
            throws Exception {
        Options.Builder b = new Options.Builder().server(s.url()).userInfo(user, pass).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(5));
        if (errors != null) {
            b.errorListener(new ErrorListener() {
                @Override
                public void errorOccurred(Connection conn, String error) {
                    errors.add(error);
                }
            });
        }
        return Nats.connect(b.build());
    }

    @Test
    void bcryptUsersAndPermissions() throws Exception {
        User alice = new User("alice", S3CRET, perms(List.of("foo.*"), List.of("foo.bar"), List.of("foo.>"),
                List.of("foo.secret"), null));
        User free = new User("free", "f", null);
        try (RunningServer s = RunningServer.start(b -> b.users(List.of(alice, free)))) {
            assertThatThrownBy(() -> connect(s, "alice", "wrong", null)).isInstanceOf(Exception.class);
            BlockingQueue<String> errors = new LinkedBlockingQueue<>();
            try (Connection a = connect(s, "alice", "s3cret", errors); Connection f = connect(s, "free", "f", null)) {
                Subscription wild = a.subscribe("foo.*");
                Subscription fromFree = f.subscribe("foo.>");
                a.flush(Duration.ofSeconds(2));
                f.flush(Duration.ofSeconds(2));
                a.publish("foo.bar", "denied".getBytes(StandardCharsets.UTF_8));
                a.publish("foo.ok", "ok".getBytes(StandardCharsets.UTF_8));
                // Order across two publishers is not guaranteed: let alice's messages be processed first.
                a.flush(Duration.ofSeconds(2));
                f.publish("foo.secret", "hidden".getBytes(StandardCharsets.UTF_8));
                f.publish("foo.last", "last".getBytes(StandardCharsets.UTF_8));
                f.flush(Duration.ofSeconds(2));
                assertThat(errors.poll(5, TimeUnit.SECONDS)).isEqualTo("Permissions Violation for Publish to \"foo.bar\"");
                Message m = wild.nextMessage(Duration.ofSeconds(2));
                assertThat(m.getSubject()).isEqualTo("foo.ok");
                // foo.secret is filtered out of the wildcard subscription
                assertThat(wild.nextMessage(Duration.ofSeconds(2)).getSubject()).isEqualTo("foo.last");
                assertThat(fromFree.nextMessage(Duration.ofSeconds(2)).getSubject()).isEqualTo("foo.ok");
                a.subscribe("foo.secret");
                assertThat(errors.poll(5, TimeUnit.SECONDS))
                        .isEqualTo("Permissions Violation for Subscription to \"foo.secret\"");
                assertThat(a.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
            assertThat(s.log().contains("Publish Violation - User \"alice\", Subject \"foo.bar\"")).isTrue();
            assertThat(s.log().contains("Subscription Violation - User \"alice\", Subject \"foo.secret\", SID ")).isTrue();
        }
    }

    @Test
    void requestReplyWithAllowResponses() throws Exception {
        User svc = new User("svc", "s", perms(null, null, List.of("req.>"), null, ResponsePermission.DEFAULT));
        User client = new User("client", "c", null);
        try (RunningServer s = RunningServer.start(b -> b.users(List.of(svc, client)))) {
            BlockingQueue<String> errors = new LinkedBlockingQueue<>();
            try (Connection sc = connect(s, "svc", "s", errors); Connection cc = connect(s, "client", "c", null)) {
                sc.createDispatcher(msg -> {
                    sc.publish(msg.getReplyTo(), "one".getBytes(StandardCharsets.UTF_8));
                    sc.publish(msg.getReplyTo(), "two".getBytes(StandardCharsets.UTF_8));
                }).subscribe("req.>");
                sc.flush(Duration.ofSeconds(2));
                Message reply = cc.request("req.a", new byte[0], Duration.ofSeconds(5));
                assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo("one");
                assertThat(errors.poll(5, TimeUnit.SECONDS)).startsWith("Permissions Violation for Publish to \"_INBOX.");
                sc.publish("other", new byte[0]);
                assertThat(errors.poll(5, TimeUnit.SECONDS)).isEqualTo("Permissions Violation for Publish to \"other\"");
            }
        }
    }

    @Test
    void noAuthUserAndReloadedPermissions() throws Exception {
        User bob = new User("bob", "b", perms(List.of("x.>"), null, List.of("foo.>", "bar"), null, null));
        try (RunningServer s = RunningServer.start(b -> b.users(List.of(bob)).noAuthUser("bob"))) {
            BlockingQueue<String> errors = new LinkedBlockingQueue<>();
            Options o = new Options.Builder().server(s.url()).maxReconnects(0).errorListener(new ErrorListener() {
                @Override
                public void errorOccurred(Connection conn, String error) {
                    errors.add(error);
                }
            }).build();
            try (Connection c = Nats.connect(o)) {
                c.subscribe("foo.a");
                Subscription bar = c.subscribe("bar");
                c.flush(Duration.ofSeconds(2));
                assertThat(errors).isEmpty();
                User next = new User("bob", "b", perms(List.of("y.>"), null, List.of("bar"), null, null));
                s.server().reload(s.server().options().toBuilder().users(List.of(next)).build(), true);
                String e = errors.poll(5, TimeUnit.SECONDS);
                assertThat(e).startsWith("Permissions Violation for Subscription to \"foo.a\" (sid \"");
                c.publish("x.1", new byte[0]);
                assertThat(errors.poll(5, TimeUnit.SECONDS)).isEqualTo("Permissions Violation for Publish to \"x.1\"");
                c.publish("y.1", new byte[0]);
                c.publish("bar", "still".getBytes(StandardCharsets.UTF_8));
                c.flush(Duration.ofSeconds(2));
                Deliveries.assertNothingMore(c, bar, "y.> publishes only");
                assertThat(errors.poll(1, TimeUnit.SECONDS)).isEqualTo("Permissions Violation for Publish to \"bar\"");
                assertThat(c.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
            assertThat(s.log().contains("Removed sub \"foo.a\" (sid \"")).isTrue();
        }
    }
}
