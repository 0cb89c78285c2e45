package io.natsboot.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Reload of the keys added last, with the answers nats-server 2.9.10 gave to a SIGHUP (probed). */
class ConfigReloadKeysTest {
    private static final ServerOptions BASE = ServerOptions.builder().maxSubTokens(3).httpBasePath("/a")
            .disableSublistCache(true).profPort(6061).serverTags(List.of("a")).connectErrorReports(2)
            .reconnectErrorReports(2).build();

    private static ConfigReload.Plan reload(UnaryOperator<ServerOptions.Builder> change) throws Exception {
        return ConfigReload.diff(BASE, change.apply(BASE.toBuilder()).build(), 4222);
    }

    @Test
    void refusedAsNatsServerRefusesThem() {
        assertThatThrownBy(() -> reload(b -> b.maxSubTokens(4)))
                .hasMessage("config reload not supported for MaxSubTokens: old=3, new=4");
        assertThatThrownBy(() -> reload(b -> b.httpBasePath("/b")))
                .hasMessage("config reload not supported for HTTPBasePath: old=/a, new=/b");
        assertThatThrownBy(() -> reload(b -> b.disableSublistCache(false)))
                .hasMessage("config reload not supported for NoSublistCache: old=true, new=false");
        assertThatThrownBy(() -> reload(b -> b.profPort(6062)))
                .hasMessage("config reload not supported for ProfPort: old=6061, new=6062");
    }

    @Test
    void reloadedWithNatsServersLines() throws Exception {
        assertThat(reload(b -> b.serverTags(List.of("b"))).lines()).endsWith("Reloaded: tags");
        assertThat(reload(b -> b.connectErrorReports(3)).lines()).endsWith("Reloaded: connect_error_reports = 3");
        assertThat(reload(b -> b.reconnectErrorReports(3)).lines()).endsWith("Reloaded: reconnect_error_reports = 3");
    }
}
