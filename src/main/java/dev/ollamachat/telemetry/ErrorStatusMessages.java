package dev.ollamachat.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;

/**
 * Every ERROR span leaves with a status message, which is what Phoenix shows first. The HTTP server instrumentation
 * sets the request's span to ERROR when it ends with a 5xx or a closed connection, and with that drops the message
 * the turn gave it; here the message comes back:
 * <ul>
 * <li>a span of a turn whose client went away ({@code cancelled=true}, or the request's span that ended on the
 * closed connection): the cancellation message, {@code cancelled=true} and
 * {@code error.type=cancelled}, as on every other span of that turn (the instrumentation's "Connection was closed"
 * and its exception type give way);
 * <li>else the message of its first exception event (the turn records its failure on the request's span first);
 * <li>else its error.type, or the HTTP status.
 * </ul>
 * Spans with a message, and all others, pass unchanged.
 */
final class ErrorStatusMessages implements SpanExporter {

    private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
    private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
    private static final String CONNECTION_CLOSED = "io.vertx.core.http.HttpClosedException";
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    private final SpanExporter next;

    ErrorStatusMessages(SpanExporter next) {
        this.next = next;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        return next.export(spans.stream().map(ErrorStatusMessages::withMessage).toList());
    }

    private static SpanData withMessage(SpanData span) {
        StatusData status = span.getStatus();
        if (status.getStatusCode() != StatusCode.ERROR) {
            return span;
        }
        if (Boolean.TRUE.equals(span.getAttributes().get(SpanNames.CANCELLED)) || connectionClosed(span)) {
            if (status.getDescription().equals(ChatTelemetry.CANCELLED_MESSAGE)
                    && SpanNames.CANCELLED_ERROR_TYPE.equals(span.getAttributes().get(SpanNames.ERROR_TYPE))) {
                return span;
            }
            Attributes attributes = span.getAttributes().toBuilder().put(SpanNames.CANCELLED, true)
                    .put(SpanNames.ERROR_TYPE, SpanNames.CANCELLED_ERROR_TYPE).build();
            return changed(span, ChatTelemetry.CANCELLED_MESSAGE, attributes);
        }
        return status.getDescription().isEmpty() ? changed(span, messageOf(span), span.getAttributes()) : span;
    }

    /**
     * The request's span ended because its client closed the connection: it ends then, before the turn under it
     * can mark it, so it is known by the exception the server recorded.
     */
    private static boolean connectionClosed(SpanData span) {
        return span.getKind() == SpanKind.SERVER && span.getEvents().stream()
                .anyMatch(event -> CONNECTION_CLOSED.equals(event.getAttributes().get(EXCEPTION_TYPE)));
    }

    private static String messageOf(SpanData span) {
        List<EventData> events = span.getEvents();
        for (EventData event : events) {
            String message = event.getAttributes().get(EXCEPTION_MESSAGE);
            if ("exception".equals(event.getName()) && message != null && !message.isBlank()) {
                return message;
            }
        }
        String type = span.getAttributes().get(SpanNames.ERROR_TYPE);
        if (type != null) {
            return type;
        }
        Long httpStatus = span.getAttributes().get(HTTP_STATUS);
        return httpStatus != null ? "HTTP " + httpStatus : "error";
    }

    private static SpanData changed(SpanData span, String message, Attributes attributes) {
        StatusData status = StatusData.create(StatusCode.ERROR, message);
        return new DelegatingSpanData(span) {
            @Override
            public StatusData getStatus() {
                return status;
            }

            @Override
            public Attributes getAttributes() {
                return attributes;
            }
        };
    }

    @Override
    public CompletableResultCode flush() {
        return next.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return next.shutdown();
    }
}
