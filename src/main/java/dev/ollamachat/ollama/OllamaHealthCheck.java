package dev.ollamachat.ollama;

import dev.ollamachat.ProblemException;
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
        HealthCheckResponseBuilder response = HealthCheckResponse.named("ollama")
                .withData("url", catalog.baseUrl())
                .withData("model", catalog.modelName());
        try {
            List<OllamaTags.Model> available = catalog.models();
            boolean present = OllamaCatalog.contains(available, catalog.modelName());
            response.withData("reachable", true).withData("modelPresent", present);
            if (!present) {
                response.withData("hint", "ollama pull " + catalog.modelName());
            }
            return response.status(present).build();
        } catch (ProblemException e) {
            return response.down().withData("reachable", false).withData("modelPresent", false)
                    .withData("error", e.detail()).build();
        }
    }
}
