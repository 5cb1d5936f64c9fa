package dev.ollamachat.support;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Every span the application under test ends, kept in memory (only while telemetry is enabled). */
@ApplicationScoped
public class CapturedSpans {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

    @Produces
    @Singleton
    SpanProcessor capture() {
        return SimpleSpanProcessor.create(exporter);
    }

    public void reset() {
        exporter.reset();
    }

    public List<SpanData> all() {
        return exporter.getFinishedSpanItems();
    }

    /** Waits (bounded) until a span matching {@code condition} has ended, then returns every span so far. */
    public List<SpanData> awaitSpan(Predicate<SpanData> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<SpanData> spans = all();
            if (spans.stream().anyMatch(condition)) {
                return spans;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("No such span within 10 s; spans: " + all().stream().map(SpanData::getName).toList());
    }
}
