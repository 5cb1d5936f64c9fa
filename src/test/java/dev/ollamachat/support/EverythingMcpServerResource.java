package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Runs the third-party {@link EverythingMcpServer} and makes it the application's primary MCP server, under the
 * name {@value #SERVER_NAME}.
 */
public class EverythingMcpServerResource implements QuarkusTestResourceLifecycleManager {

    public static final String SERVER_NAME = "everything";

    private EverythingMcpServer server;

    @Override
    public Map<String, String> start() {
        server = new EverythingMcpServer(EverythingMcpServer.defaultDir());
        server.start();
        return Map.of(
                "ollama-chat.mcp.server-url", server.url(),
                "ollama-chat.mcp.server-name", SERVER_NAME);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
