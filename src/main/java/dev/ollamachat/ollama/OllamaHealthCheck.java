package dev.ollamachat.ollama;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when Ollama answers and has the configured model. */
@Readiness
@ApplicationScoped
public class OllamaHealthCheck implements HealthCheck {

    private final OllamaCatalog catalog;

    OllamaHealthCheck(OllamaCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public HealthCheckResponse call() {
        String model = catalog.modelName();
        List<OllamaCatalog.HostModels> hosts = catalog.byHost();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("ollama").withData("model", model);
        boolean anyServes = false;
        for (int i = 0; i < hosts.size(); i++) {
            OllamaCatalog.HostModels host = hosts.get(i);
            boolean present = host.reachable() && OllamaCatalog.contains(host.models(), model);
            anyServes |= present;
            // one Ollama: url, reachable, modelPresent; several: the same with the host's number, from 1
            String suffix = hosts.size() == 1 ? "" : "." + (i + 1);
            response.withData("url" + suffix, host.url()).withData("reachable" + suffix, host.reachable())
                    .withData("modelPresent" + suffix, present);
            if (host.error() != null) {
                response.withData("error" + suffix, host.error());
            } else if (!present) {
                response.withData("hint" + suffix, "ollama pull " + model);
            }
        }
        return response.status(anyServes).build();
    }
}
