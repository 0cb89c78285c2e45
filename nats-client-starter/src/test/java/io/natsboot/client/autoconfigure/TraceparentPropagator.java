package io.natsboot.client.autoconfigure;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleTraceContext;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.util.List;

/**
 * W3C {@code traceparent} for {@link SimpleTracer} (micrometer-tracing-test has no propagator): what Brave or
 * OpenTelemetry write into a carrier, enough to follow one trace across NATS messages.
 */
final class TraceparentPropagator implements Propagator {

    static final String HEADER = "traceparent";

    private final SimpleTracer tracer;

    TraceparentPropagator(SimpleTracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public List<String> fields() {
        return List.of(HEADER);
    }

    @Override
    public <C> void inject(TraceContext context, C carrier, Setter<C> setter) {
        setter.set(carrier, HEADER, "00-" + context.traceId() + "-" + context.spanId() + "-01");
    }

    @Override
    public <C> Span.Builder extract(C carrier, Getter<C> getter) {
        String value = getter.get(carrier, HEADER);
        if (value == null) {
            return tracer.spanBuilder();
        }
        String[] parts = value.split("-");
        SimpleTraceContext parent = new SimpleTraceContext();
        parent.setTraceId(parts[1]);
        parent.setSpanId(parts[2]);
        parent.setSampled(true);
        return tracer.spanBuilder().setParent(parent);
    }
}
