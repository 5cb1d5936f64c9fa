package dev.ollamachat.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One exporter per Phoenix project (each sends its project's name in the header Phoenix files spans by), and a batch
 * split between them by {@link TraceProjects}: one SDK, one batch processor, as many OTLP clients as projects.
 */
final class ProjectExporters implements SpanExporter {

    private final TraceProjects projects;
    private final Map<String, SpanExporter> byProject;

    ProjectExporters(TraceProjects projects, Function<String, SpanExporter> exporterOf) {
        this.projects = projects;
        Map<String, SpanExporter> exporters = new LinkedHashMap<>();
        projects.allowed().forEach(project -> exporters.put(project, exporterOf.apply(project)));
        this.byProject = Map.copyOf(exporters);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        Map<String, List<SpanData>> batches = new LinkedHashMap<>();
        for (SpanData span : spans) {
            batches.computeIfAbsent(projects.projectOf(span.getTraceId()), project -> new ArrayList<>()).add(span);
        }
        if (batches.size() == 1) {
            Map.Entry<String, List<SpanData>> only = batches.entrySet().iterator().next();
            return exporterOf(only.getKey()).export(only.getValue());
        }
        List<CompletableResultCode> results = new ArrayList<>(batches.size());
        batches.forEach((project, batch) -> results.add(exporterOf(project).export(batch)));
        return CompletableResultCode.ofAll(results);
    }

    private SpanExporter exporterOf(String project) {
        SpanExporter exporter = byProject.get(project);
        return exporter != null ? exporter : byProject.get(projects.defaultProject());
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofAll(byProject.values().stream().map(SpanExporter::flush).toList());
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofAll(byProject.values().stream().map(SpanExporter::shutdown).toList());
    }
}
