package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.ConfParser;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ConfigReload;
import io.natsboot.server.config.OcspOptions;
import io.natsboot.server.config.ServerOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ocsp setting onto the options, and a reload that changes it (refused: the monitors are built at start). */
class OcspConfigTest {

    private static ServerOptions parse(String text) throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome o = ConfigFileOptions.apply(ConfParser.parseString(text, "t.conf", System::getenv), b);
        assertThat(o.errors()).isEmpty();
        return b.build();
    }

    @Test
    void modesAndUrl() throws Exception {
        assertThat(parse("").ocsp()).isNull();
        assertThat(parse("ocsp: true").ocsp()).isEqualTo(new OcspOptions(OcspOptions.Mode.AUTO, List.of()));
        assertThat(parse("ocsp: false").ocsp()).isEqualTo(new OcspOptions(OcspOptions.Mode.NEVER, List.of()));
        assertThat(parse("ocsp {}").ocsp()).isEqualTo(new OcspOptions(OcspOptions.Mode.AUTO, List.of()));
        assertThat(parse("ocsp { mode: Always, url: \"http://r\" }").ocsp())
                .isEqualTo(new OcspOptions(OcspOptions.Mode.ALWAYS, List.of("http://r")));
        assertThat(parse("ocsp { mode: must }").ocsp().mode()).isEqualTo(OcspOptions.Mode.MUST);
    }

    @Test
    void changedOcspSettingIsRefusedOnReload() throws Exception {
        ServerOptions auto = parse("ocsp: true");
        assertThatThrownBy(() -> ConfigReload.diff(auto, parse("ocsp { mode: always }"), 4222))
                .hasMessageStartingWith("config reload not supported for OCSPConfig: ");
        assertThatNoException().isThrownBy(() -> ConfigReload.diff(auto, parse("ocsp: true"), 4222));
    }
}
