package dev.ollamachat.telemetry;

import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.ollama.OllamaHosts;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The exporter that sends spans to Phoenix over OTLP/HTTP (protobuf), under the project headers Phoenix reads (one
 * client per project of {@link TraceProjects}) and the API key. Quarkus' own OTLP exporter is off (quarkus.otel.exporter.otlp.enabled=false): when the endpoint answered 5xx
 * or not at all, its retries never completed the export, so the failure was never reported. This one (the JDK HTTP
 * client; a failed batch is not retried, the next one carries the newer spans) completes every export, and
 * {@link FailureReportingExporter} reports the failures, once a minute.
 */
@ApplicationScoped
class PhoenixSpanExporter {

    @Produces
    @Singleton
    SpanExporter phoenix(ChatConfig config, TraceProjects projects) {
        ChatConfig.Telemetry telemetry = config.telemetry();
        String base = TelemetryExportConfig.exporterBase(telemetry.endpoint());
        if (base == null) {
            // telemetry is off in this case (TelemetryExportConfig), so the SDK never asks; export nothing anyway
            return SpanExporter.composite();
        }
        SpanExporter byProject = new ProjectExporters(projects, project -> {
            OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder()
                    .setEndpoint(base + TelemetryExportConfig.TRACES_PATH)
                    .setTimeout(telemetry.exportTimeout())
                    .addHeader("x-project-name", project)
                    .addHeader("x-phoenix-project-name", project);
            telemetry.apiKey().map(String::trim).filter(key -> !key.isEmpty())
                    .ifPresent(key -> builder.addHeader("authorization", "Bearer " + key));
            return builder.build();
        });
        return new OllamaCallSpans(OllamaHosts.urls(config.ollama()), new ErrorStatusMessages(
                new FailureReportingExporter(byProject, base + TelemetryExportConfig.TRACES_PATH,
                        telemetry.exportTimeout())));
    }
}
