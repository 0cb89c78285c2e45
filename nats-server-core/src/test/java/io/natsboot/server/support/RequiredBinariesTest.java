package io.natsboot.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The external-program policy: a missing program is a failure naming its Debian package, never a skip. */
class RequiredBinariesTest {

    @Test
    void aMissingProgramNamesTheDebianPackage() {
        Map<String, String> noPath = Map.of("PATH", "/nonexistent");
        assertThat(RequiredBinaries.problem("go", noPath::get)).contains("install the Debian package golang-go")
                .contains("go on the PATH");
        assertThat(RequiredBinaries.problem("node", noPath::get)).contains("install the Debian package nodejs");
        assertThat(RequiredBinaries.problem("prometheus", noPath::get))
                .contains("install the Debian package prometheus").contains("$PROMETHEUS");
        assertThat(RequiredBinaries.problem("chromium", noPath::get))
                .contains("chromium, chromium-browser, google-chrome on the PATH")
                .contains("install the Debian package chromium");
    }

    @Test
    void anEnvironmentVariableOrTheFixedPathIsUsed() {
        // /bin/sh stands in for the program: no version is asked of chromium.
        assertThat(RequiredBinaries.problem("chromium", Map.of("PATH", "/nonexistent", "CHROMIUM", "/bin/sh")::get))
                .isEmpty();
    }

    @Test
    void unknownProgramsAreAnError() {
        assertThatThrownBy(() -> RequiredBinaries.problem("nats", Map.<String, String>of()::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nats-server");
    }

    @Test
    @RequiresBinary("nats-server")
    void theReferenceServerIsVersion2910() {
        // The extension ran before this method: here the binary is present and its --version was checked.
        assertThat(RequiredBinaries.path("nats-server")).hasToString("/usr/sbin/nats-server");
    }
}
