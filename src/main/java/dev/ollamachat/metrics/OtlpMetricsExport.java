package dev.ollamachat.metrics;

import dev.ollamachat.config.ChatConfig;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Pushes the same metrics as /q/metrics over OTLP/HTTP when OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is set. Only that
 * variable turns it on (not OTEL_EXPORTER_OTLP_ENDPOINT), and an endpoint on Phoenix's host and port is refused:
 * Phoenix answers 405 to metrics.
 */
@ApplicationScoped
class OtlpMetricsExport {

    private static final Logger LOG = Logger.getLogger(OtlpMetricsExport.class);

    private OtlpMeterRegistry registry;

    void start(@Observes StartupEvent event, ChatConfig config,
            @ConfigProperty(name = "quarkus.otel.service.name", defaultValue = "ollama-client") String service) {
        ChatConfig.Telemetry telemetry = config.telemetry();
        String endpoint = telemetry.metricsEndpoint().map(String::trim).filter(e -> !e.isEmpty()).orElse(null);
        if (endpoint == null) {
            return;
        }
        if (sameServer(endpoint, telemetry.endpoint())) {
            LOG.warnf("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT %s is Phoenix (PHOENIX_ENDPOINT), which takes no metrics; "
                    + "metrics stay on /q/metrics only", endpoint);
            return;
        }
        Map<String, String> settings = Map.of(
                "otlp.url", endpoint,
                "otlp.step", telemetry.metricsExportInterval().toString(),
                "otlp.resourceAttributes", "service.name=" + service);
        OtlpConfig otlp = settings::get;
        registry = new OtlpMeterRegistry(otlp, Clock.SYSTEM);
        Metrics.globalRegistry.add(registry);
        LOG.infof("Metrics also go over OTLP to %s every %s", endpoint, telemetry.metricsExportInterval());
    }

    void stop(@Observes ShutdownEvent event) {
        if (registry != null) {
            Metrics.globalRegistry.remove(registry);
            registry.close(); // pushes what was recorded since the last push
        }
    }

    static boolean sameServer(String endpoint, String phoenix) {
        try {
            URI a = URI.create(endpoint);
            URI b = URI.create(phoenix.trim());
            return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
