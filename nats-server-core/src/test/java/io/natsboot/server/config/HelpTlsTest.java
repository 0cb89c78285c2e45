package io.natsboot.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.CommandLine.Action;
import io.natsboot.server.config.CommandLine.Result;
import org.junit.jupiter.api.Test;

/** {@code --help_tls}, with nats-server 2.9.10's sections and precedence (observed with the binary). */
class HelpTlsTest {

    @Test
    void printsTheTlsHelpOnStdoutAndExitsZero() {
        Result r = CommandLine.parse("--help_tls");
        assertThat(r.action()).isEqualTo(Action.HELP);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stderr()).isEmpty();
        String t = r.stdout();
        assertThat(t).startsWith("\nTLS configuration is specified in the tls section of a configuration file:\n"
                + "\ne.g.\n\n    tls {\n        cert_file:      \"./certs/server-cert.pem\"\n");
        assertThat(t).contains("\n    }\n\nAvailable cipher suites include:\n    TLS_AES_128_GCM_SHA256\n");
        assertThat(t).contains("\n\nAvailable curve preferences include:\n    X25519\n    CurveP256\n"
                + "    CurveP384\n    CurveP521\n");
        assertThat(t.lines().filter(l -> l.startsWith("    TLS_")).count()).isEqualTo(24); // as nats-server
    }

    @Test
    void afterVersionAndHelpBeforeCommandsAndSignal() {
        assertThat(CommandLine.parse("--help_tls", "-v").stdout()).startsWith("nats-server: v2.9.10\n");
        assertThat(CommandLine.parse("--help_tls", "-h").stdout()).startsWith("\nUsage: nats-server");
        assertThat(CommandLine.parse("-help_tls", "bogus").stdout()).startsWith("\nTLS configuration");
        assertThat(CommandLine.parse("--help_tls", "-sl", "reload=1").stdout()).startsWith("\nTLS configuration");
        assertThat(CommandLine.parse("--help_tls", "--tls").stdout()).startsWith("\nTLS configuration");
        assertThat(CommandLine.parse("--help_tls=false").action()).isEqualTo(Action.RUN);
    }
}
