package io.natsboot.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test programs on the nats.go client, built with Debian's Go and nats.go sources (GOPATH mode). */
public final class GoPrograms {
    private GoPrograms() {
    }

    /**
     * Builds {@code source} (a main.go under src/test/go) into {@code dir} as {@code name}; fails naming the Debian
     * package when Go or nats.go is missing.
     */
    public static Path build(Path source, Path dir, String name) throws Exception {
        assertThat(Path.of("/usr/bin/go")).as("install the Debian package golang-go").exists();
        assertThat(Path.of("/usr/share/gocode/src/github.com/nats-io/nats.go"))
                .as("install the Debian package golang-github-nats-io-go-nats-dev").exists();
        Path program = dir.resolve(name);
        Path log = dir.resolve(name + "-build.log");
        ProcessBuilder pb = new ProcessBuilder("go", "build", "-o", program.toString(),
                source.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        // Debian's Go packages live in a GOPATH, outside modules; the build cache is kept between runs
        pb.environment().put("GOPATH", "/usr/share/gocode");
        pb.environment().put("GO111MODULE", "off");
        pb.environment().put("GOCACHE", Path.of(System.getProperty("java.io.tmpdir"), "natsboot-gocache").toString());
        Process build = pb.start();
        assertThat(build.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(build.exitValue()).as(Files.readString(log)).isZero();
        return program;
    }
}
