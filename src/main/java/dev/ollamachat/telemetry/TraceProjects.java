package dev.ollamachat.telemetry;

import dev.ollamachat.config.ChatConfig;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Phoenix project each trace is filed under: PHOENIX_PROJECT_NAME, or another of PHOENIX_PROJECTS that the
 * request named. The chat span records a trace's project when its turn starts; the exporter then sends every span of
 * that trace (the LLM and tool spans, the calls to Ollama and MCP, and the HTTP spans around them) to that project.
 * Only traces routed elsewhere than the default are remembered, for {@value #REMEMBERED_MINUTES} minutes, which is far
 * beyond any turn and the batch delay of the export.
 *
 * <p>A {@code @Singleton}, so that the exporter holds the instance itself, not a client proxy: the exporter asks it on
 * the batch processor's thread, where a proxy that still had to create the bean failed in the packaged jar (that
 * thread cannot load the CDI classes) and the batch was lost.
 */
@Singleton
public class TraceProjects {

    static final long REMEMBERED_MINUTES = 30;
    private static final long REMEMBERED_NANOS = TimeUnit.MINUTES.toNanos(REMEMBERED_MINUTES);
    private static final int PRUNE_ABOVE = 10_000;

    private final String defaultProject;
    private final Set<String> allowed;
    private final LongSupplier clock;
    private final Map<String, Routed> routed = new ConcurrentHashMap<>();

    private record Routed(String project, long atNanos) {
    }

    @Inject
    TraceProjects(ChatConfig config) {
        this(config.telemetry().projectName(), config.telemetry().projects().orElse(List.of()), System::nanoTime);
    }

    TraceProjects(String defaultProject, List<String> others, LongSupplier clock) {
        this.defaultProject = defaultProject;
        Set<String> names = new LinkedHashSet<>();
        names.add(defaultProject);
        others.stream().map(String::trim).filter(name -> !name.isEmpty()).forEach(names::add);
        this.allowed = Set.copyOf(names);
        this.clock = clock;
    }

    /** PHOENIX_PROJECT_NAME. */
    public String defaultProject() {
        return defaultProject;
    }

    /** Every project a request may name: PHOENIX_PROJECT_NAME and PHOENIX_PROJECTS. */
    public Set<String> allowed() {
        return allowed;
    }

    /** Files this trace under {@code project} (one of {@link #allowed()}; null means the default). */
    void route(String traceId, String project) {
        if (project == null || project.equals(defaultProject)) {
            return;
        }
        long now = clock.getAsLong();
        routed.put(traceId, new Routed(project, now));
        if (routed.size() > PRUNE_ABOVE) {
            routed.values().removeIf(entry -> now - entry.atNanos() > REMEMBERED_NANOS);
        }
    }

    /** The project of a trace's spans. */
    String projectOf(String traceId) {
        Routed entry = routed.get(traceId);
        return entry == null ? defaultProject : entry.project();
    }
}
