package dev.ollamachat.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.LogCapture;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FailureReportingExporterTest {

    /** Fails every export while {@code down}, as the OTLP exporter does when Phoenix cannot be reached. */
    private static final class Phoenix implements SpanExporter {
        boolean down = true;

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return down ? CompletableResultCode.ofExceptionalFailure(new ConnectException())
                    : CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private final LogCapture log = new LogCapture(FailureReportingExporter.class.getName());
    private final Phoenix phoenix = new Phoenix();
    private final FailureReportingExporter exporter = new FailureReportingExporter(phoenix,
            "http://phoenix:6006/v1/traces", Duration.ofSeconds(10));

    @BeforeEach
    void listen() {
        log.start();
    }

    @AfterEach
    void stopListening() {
        log.stop();
    }

    @Test
    void anOutageIsOneWarningThenOneRecoveryLineAndTheNextOutageIsReportedAgain() {
        for (int i = 0; i < 50; i++) {
            assertFalse(exporter.export(List.of()).isSuccess(), "the failure is passed on to the span processor");
        }
        List<String> warnings = log.records(Level.WARNING).stream().map(LogCapture::message).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("http://phoenix:6006/v1/traces failed: cannot connect"), warnings.get(0));
        assertTrue(warnings.get(0).contains("Chats are not affected"), warnings.get(0));

        phoenix.down = false;
        assertTrue(exporter.export(List.of()).isSuccess());
        assertTrue(exporter.export(List.of()).isSuccess());
        List<String> infos = log.records(Level.INFO).stream().map(LogCapture::message).toList();
        assertEquals(1, infos.size(), infos.toString());
        assertTrue(infos.get(0).contains("works again"), infos.get(0));

        phoenix.down = true;
        exporter.export(List.of());
        exporter.export(List.of());
        assertEquals(2, log.records(Level.WARNING).size(), "a new outage is a new warning");
    }
}
