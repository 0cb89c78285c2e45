package io.natsboot.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.CapturingLog;
import io.netty.util.internal.logging.InternalLogger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyLoggingTest {
    private final CapturingLog recording = new CapturingLog();

    @AfterEach
    void detach() {
        NettyLogging.logTo(null);
    }

    @Test
    void warningsAndErrorsReachTheServerLogWithTheirArguments() {
        NettyLogging.logTo(recording);
        InternalLogger logger = new NettyLogging().newInstance("io.netty.channel.DefaultChannelPipeline");
        logger.warn("An exceptionCaught() event was fired: {} on {}", "boom", "ch-1");
        logger.error("Failed to close {}", 7);
        logger.warn("plain");
        logger.error("{} {} {}", "a", "b", "c");
        assertThat(recording.lines()).containsExactly(
                "[WRN] Netty: An exceptionCaught() event was fired: boom on ch-1",
                "[ERR] Netty: Failed to close 7",
                "[WRN] Netty: plain",
                "[ERR] Netty: a b c");
    }

    @Test
    void debugAndInfoAreOffAsNatsServerHasNoSuchLines() {
        NettyLogging.logTo(recording);
        InternalLogger logger = new NettyLogging().newInstance("io.netty.util.ResourceLeakDetector");
        assertThat(logger.isDebugEnabled()).isFalse();
        assertThat(logger.isInfoEnabled()).isFalse();
        logger.debug("x {}", 1);
        logger.info("y");
        logger.trace("z");
        assertThat(recording.lines()).isEmpty();
    }

    @Test
    void aTrailingThrowableWithoutPlaceholderComesWithItsStackTrace() {
        String line = NettyLogging.format("Unexpected {}", "state", new IllegalStateException("bad"));
        assertThat(line).startsWith("Unexpected state: java.lang.IllegalStateException: bad")
                .contains("at io.natsboot.server.log.NettyLoggingTest");
        assertThat(NettyLogging.format("no args {}")).isEqualTo("no args {}");
        assertThat(NettyLogging.format("{} only", "one", "extra")).isEqualTo("one only");
    }
}
