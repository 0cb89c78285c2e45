package io.natsboot.server.tls;

import io.natsboot.server.config.TlsOptions;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import java.lang.reflect.Method;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS {@code curve_preferences}: the key exchange groups each engine offers, in the configured order.
 * The JDK takes them per engine from Java 20 on ({@code SSLParameters.setNamedGroups}); on an older JVM the
 * only switch is the process-wide {@code jdk.tls.namedGroups} property, so a configuration with curve
 * preferences refuses to start there rather than silently using the defaults.
 */
final class TlsCurves {
    private static final Method SET_NAMED_GROUPS = namedGroupsSetter();

    private TlsCurves() {
    }

    private static Method namedGroupsSetter() {
        try {
            return SSLParameters.class.getMethod("setNamedGroups", String[].class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** The context itself without preferences, else one whose engines offer only those groups, in order. */
    static SslContext apply(SslContext ctx, List<String> goCurves) {
        if (goCurves.isEmpty()) {
            return ctx;
        }
        if (SET_NAMED_GROUPS == null) {
            throw new IllegalArgumentException("curve_preferences needs Java 20 or newer (this is Java "
                    + Runtime.version().feature() + "); remove it or run on a newer JVM");
        }
        String[] groups = goCurves.stream().map(TlsOptions.GO_CURVES::get).toArray(String[]::new);
        return new DelegatingSslContext(ctx) {
            @Override
            protected void initEngine(SSLEngine engine) {
                SSLParameters p = engine.getSSLParameters();
                try {
                    SET_NAMED_GROUPS.invoke(p, (Object) groups);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot set TLS named groups", e);
                }
                engine.setSSLParameters(p);
            }
        };
    }
}
