import io.nats.NatsServerRunner;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Starts EXE COUNT times through io.nats:jnats-server-runner with its default settings (only the executable
 * set), each time connecting and doing one request/reply, and prints how many starts failed and why.
 * Run by benchmarks/runner-starts.sh (single-file source launch).
 */
public class RunnerStarts {
    public static void main(String[] args) throws Exception {
        String exe = args[0];
        int count = Integer.parseInt(args[1]);
        int failed = 0;
        long totalMs = 0;
        long maxMs = 0;
        java.util.Map<String, Integer> reasons = new java.util.TreeMap<>();
        NatsServerRunner.setDefaultOutputLevel(java.util.logging.Level.OFF);
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            try (NatsServerRunner runner = NatsServerRunner.builder().executablePath(exe).build()) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                totalMs += ms;
                maxMs = Math.max(maxMs, ms);
                try (Connection nc = Nats.connect(runner.getURI())) {
                    nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData())).subscribe("echo");
                    nc.flush(Duration.ofSeconds(5));
                    byte[] data = ("start " + i).getBytes(StandardCharsets.UTF_8);
                    if (!new String(nc.request("echo", data, Duration.ofSeconds(5)).getData(),
                            StandardCharsets.UTF_8).equals("start " + i)) {
                        throw new IllegalStateException("wrong reply");
                    }
                }
            } catch (Exception e) {
                // The runner leaves the process running when its readiness check fails: stop it here (our only
                // children are the servers it spawned), or each failure leaves a live server behind.
                stopChildren();
                failed++;
                // The runner's message: "Failed to run [cmd]" then the cause ("Connection refused") then a trace.
                String why = String.valueOf(e.getMessage()).lines().map(String::trim)
                        .filter(l -> !l.isEmpty() && !l.startsWith("Failed to run") && !l.startsWith("io.nats."))
                        .findFirst().orElse(e.toString());
                reasons.merge(why, 1, Integer::sum);
            }
        }
        int ok = count - failed;
        System.out.printf("%s: %d starts, %d failed; runner build() mean %d ms, max %d ms (successful starts)%n",
                exe, count, failed, ok == 0 ? 0 : totalMs / ok, maxMs);
        reasons.forEach((k, v) -> System.out.println("  " + v + " x " + k));
    }

    static void stopChildren() {
        ProcessHandle.current().children().forEach(p -> {
            p.destroy();
            try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }
}
