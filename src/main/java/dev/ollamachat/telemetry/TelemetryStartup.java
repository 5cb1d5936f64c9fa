package dev.ollamachat.telemetry;

import dev.ollamachat.config.ChatConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Says once, at start-up, where traces go (never the API key), or why they don't. */
@ApplicationScoped
class TelemetryStartup {

    private static final Logger LOG = Logger.getLogger(TelemetryStartup.class);

    void onStart(@Observes StartupEvent event, ChatConfig config,
            @ConfigProperty(name = "quarkus.otel.service.name", defaultValue = "ollama-client") String service,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled) {
        ChatConfig.Telemetry telemetry = config.telemetry();
        String problem = TelemetryExportConfig.startupProblem(telemetry.endpoint());
        if (problem != null) {
            LOG.warnf("Failed to initialize telemetry: %s; chats go on without traces", problem);
        } else if (sdkDisabled) {
            LOG.info("Telemetry disabled (TELEMETRY_ENABLED=false or OTEL_SDK_DISABLED=true)");
        } else {
            LOG.infof("Telemetry initialized: service=%s, project=%s, endpoint=%s%s, env=%s, content=%s", service,
                    telemetry.projectName(), TelemetryExportConfig.exporterBase(telemetry.endpoint()),
                    TelemetryExportConfig.TRACES_PATH, telemetry.environment(),
                    telemetry.captureContent() ? "captured" : "not captured");
        }
    }
}
