package dev.ollamachat.mcp;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Pings every MCP server; the check's data says which are up. */
@Readiness
@ApplicationScoped
public class McpHealthCheck implements HealthCheck {

    private final McpServers servers;

    McpHealthCheck(McpServers servers) {
        this.servers = servers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("mcp");
        boolean allUp = true;
        for (McpServerConnection server : servers.connections()) {
            try {
                server.checkHealth();
                response.withData(server.name(), "UP " + server.url());
            } catch (McpServerUnavailableException e) {
                allUp = false;
                response.withData(server.name(), "DOWN " + e.getMessage());
            }
        }
        return response.status(allUp).build();
    }
}
