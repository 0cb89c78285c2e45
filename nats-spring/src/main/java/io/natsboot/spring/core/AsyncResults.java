package io.natsboot.spring.core;

import java.util.function.Consumer;
import org.springframework.util.ClassUtils;

/**
 * Handler results that complete later: a Reactor {@code Mono}, when reactor-core is on the classpath (it is an
 * optional dependency, so the Reactor types are touched only behind {@link #REACTOR}). Used by the listener
 * containers and the service endpoints; not meant for applications.
 */
public final class AsyncResults {

    private static final boolean REACTOR = ClassUtils.isPresent("reactor.core.publisher.Mono",
            AsyncResults.class.getClassLoader());

    private AsyncResults() {
    }

    public static boolean isMono(Object o) {
        return REACTOR && ReactorSupport.isMono(o);
    }

    /** Waits for the Mono's value ({@code null} when empty). */
    public static Object block(Object mono) {
        return ReactorSupport.block(mono);
    }

    /** Subscribes to the Mono: its value or error, then {@code onFinally} in every case. */
    public static void subscribe(Object mono, Consumer<Object> onValue, Consumer<Throwable> onError,
            Runnable onFinally) {
        ReactorSupport.subscribe(mono, onValue, onError, onFinally);
    }

    /** Loaded only when reactor-core is on the classpath. */
    private static final class ReactorSupport {
        static boolean isMono(Object o) {
            return o instanceof reactor.core.publisher.Mono<?>;
        }

        static Object block(Object mono) {
            return ((reactor.core.publisher.Mono<?>) mono).block();
        }

        static void subscribe(Object mono, Consumer<Object> onValue, Consumer<Throwable> onError, Runnable onFinally) {
            ((reactor.core.publisher.Mono<?>) mono).doFinally(signal -> onFinally.run())
                    .subscribe(onValue::accept, onError::accept);
        }
    }
}
