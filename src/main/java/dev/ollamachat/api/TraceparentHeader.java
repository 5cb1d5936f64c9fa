package dev.ollamachat.api;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Every API answer names its trace in a W3C {@code traceparent} header. */
public class TraceparentHeader {

    public static final String NAME = "traceparent";

    @ServerResponseFilter
    public void addTraceparent(ContainerResponseContext response) {
        value(Span.current()).ifPresent(v -> response.getHeaders().putSingle(NAME, v));
    }

    static java.util.Optional<String> value(Span span) {
        SpanContext context = span.getSpanContext();
        if (!context.isValid()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                + context.getTraceFlags().asHex());
    }
}
