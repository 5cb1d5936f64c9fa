package dev.ollamachat.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The HTTP client spans of calls to Ollama, as Phoenix gets them:
 * <ul>
 * <li>named after whom they call and what: method and path, {@code ollama POST /api/chat} ({@code POST /api/chat}
 * is also the name of this service's own server span for a chat);
 * <li>without the capability probe ({@code POST /api/show}): it is asked once per model, inside whichever chat
 * needs the answer first, and would show up in that user's trace as a step of their chat.
 * </ul>
 * Every other span passes unchanged. (The name is set here, at export, because the HTTP client names its span when
 * the response is in, after any span processor could rename it.)
 */
final class OllamaCallSpans implements SpanExporter {

    static final String PREFIX = "ollama ";
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    private static final String PROBE_PATH = "/api/show";

    private final List<URI> ollamas;
    private final SpanExporter next;

    OllamaCallSpans(List<String> ollamaUrls, SpanExporter next) {
        this.ollamas = ollamaUrls.stream().map(URI::create).toList();
        this.next = next;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<SpanData> kept = new ArrayList<>(spans.size());
        for (SpanData span : spans) {
            URI called = calledOllama(span);
            if (called == null) {
                kept.add(span);
            } else if (called.getPath() == null || !called.getPath().endsWith(PROBE_PATH)) {
                kept.add(named(span, called));
            }
        }
        return kept.isEmpty() ? CompletableResultCode.ofSuccess() : next.export(kept);
    }

    private static SpanData named(SpanData span, URI called) {
        if (span.getName().startsWith(PREFIX) || called.getPath() == null) {
            return span;
        }
        // the method, then the path called: a client span is named "POST" alone, or after a path template or route
        // that its context held, which need not be the call's
        int space = span.getName().indexOf(' ');
        String name = PREFIX + (space > 0 ? span.getName().substring(0, space) : span.getName()) + " "
                + called.getPath();
        return new DelegatingSpanData(span) {
            @Override
            public String getName() {
                return name;
            }
        };
    }

    /** The URL a client span called, when it is one of the Ollamas; else null. */
    private URI calledOllama(SpanData span) {
        String url = span.getKind() == SpanKind.CLIENT ? span.getAttributes().get(URL_FULL) : null;
        if (url == null) {
            return null;
        }
        try {
            URI called = URI.create(url);
            boolean ollama = ollamas.stream().anyMatch(o -> o.getHost() != null
                    && o.getHost().equalsIgnoreCase(called.getHost()) && port(o) == port(called));
            return ollama ? called : null;
        } catch (IllegalArgumentException notAUrl) {
            return null;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
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
