package io.natsboot.server.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test (class or method) that runs an external program: {@code "nats-server"} (the reference nats-server
 * 2.9.10 at /usr/sbin/nats-server), {@code "chromium"}, {@code "prometheus"}, {@code "node"} or {@code "go"}.
 * Such tests carry the JUnit tag {@value #TAG} and run by default (CI installs the programs with
 * {@code .ci/run}); when a program is missing they FAIL, naming the Debian package to install. They never skip.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(RequiresBinary.TAG)
@ExtendWith(RequiredBinaries.class)
public @interface RequiresBinary {
    /** The JUnit tag of every test that needs an external program. */
    String TAG = "external";

    /** The programs, by the names above. */
    String[] value();
}
