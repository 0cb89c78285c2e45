package io.natsboot.test.autoconfigure;

import org.springframework.boot.test.autoconfigure.TestSliceTestContextBootstrapper;

/** Reads {@link NatsTest#properties()}. */
class NatsTestContextBootstrapper extends TestSliceTestContextBootstrapper<NatsTest> {
}
