package dev.ollamachat.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Calls to Ollama leave named after it, its capability probe not at all; every other span passes unchanged. */
class OllamaCallSpansTest {

    private static int ids;

    @Test
    void onlyTheProbeIsLeftOut() {
        InMemorySpanExporter next = InMemorySpanExporter.create();
        OllamaCallSpans exporter = new OllamaCallSpans(List.of("http://gpu-box:11434"), next);
        SpanData probe = span("POST /api/show", SpanKind.CLIENT, "http://gpu-box:11434/api/show");
        SpanData chatCall = span("POST", SpanKind.CLIENT, "http://GPU-box:11434/api/chat");
        SpanData templated = span("GET /api/tags", SpanKind.CLIENT, "http://gpu-box:11434/api/tags");
        // a span named after a template its context still held from another call
        SpanData misnamed = span("POST /api/show", SpanKind.CLIENT, "http://gpu-box:11434/api/chat");
        SpanData chat = span("chat", SpanKind.INTERNAL, null);
        SpanData elsewhere = span("POST", SpanKind.CLIENT, "http://gpu-box:8080/api/show"); // not Ollama
        SpanData server = span("POST /api/chat", SpanKind.SERVER, "http://gpu-box:11434/api/chat");

        assertEquals(CompletableResultCode.ofSuccess().isSuccess(),
                exporter.export(List.of(probe, chatCall, templated, misnamed, chat, elsewhere, server)).isSuccess());
        assertEquals(List.of("ollama POST /api/chat", "ollama GET /api/tags", "ollama POST /api/chat", "chat", "POST",
                "POST /api/chat"),
                next.getFinishedSpanItems().stream().map(SpanData::getName).toList());
        assertEquals(true, exporter.export(List.of(probe)).isSuccess(), "a batch of the probe alone is done at once");
        assertEquals(6, next.getFinishedSpanItems().size());
    }

    private static SpanData span(String name, SpanKind kind, String url) {
        String spanId = String.format("%016x", ++ids);
        return TestSpanData.builder().setName(name).setKind(kind)
                .setSpanContext(SpanContext.create("0af7651916cd43dd8448eb211c80319c", spanId,
                        TraceFlags.getSampled(), TraceState.getDefault()))
                .setAttributes(url == null ? Attributes.empty() : Attributes.of(
                        io.opentelemetry.api.common.AttributeKey.stringKey("url.full"), url))
                .setStatus(StatusData.unset()).setStartEpochNanos(1).setEndEpochNanos(2).setHasEnded(true)
                .setTotalRecordedEvents(0).setTotalRecordedLinks(0).setTotalAttributeCount(1).build();
    }
}
