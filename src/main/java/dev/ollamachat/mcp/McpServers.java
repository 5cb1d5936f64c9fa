package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.ollamachat.config.ApiKeys;
import dev.ollamachat.config.ChatConfig;
import jakarta.annotation.PreDestroy;
import io.quarkus.vertx.http.HttpServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The MCP servers the model takes its tools from: MCP_SERVER_URL (by default this service's own /mcp, on the port
 * it really listens on) first, then each entry of MCP_SERVERS.
 */
@ApplicationScoped
public class McpServers {

    /** How long a catalog whose servers all answered is offered again without asking. */
    static final Duration RECENT = Duration.ofSeconds(1);

    private final List<McpServerConnection> connections;
    private volatile Listed recent;

    private record Listed(ToolCatalog catalog, long atNanos) {
    }

    private final ToolPolicy policy;
    /** The name of this service's own /mcp, when MCP_SERVER_URL is unset; else null. */
    private final String ownServerName;

    McpServers(ChatConfig config, ApiKeys keys, Instance<HttpServer> httpServer,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String httpHost,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int configuredPort) {
        ChatConfig.Mcp mcp = config.mcp();
        this.policy = ToolPolicy.of(mcp.toolsAllow(), mcp.toolsDeny());
        Map<String, Supplier<String>> urlsByName = new LinkedHashMap<>();
        String selfHost = selfHost(httpHost);
        this.ownServerName = mcp.serverUrl().isPresent() ? null : mcp.serverName();
        urlsByName.put(mcp.serverName(), mcp.serverUrl().<Supplier<String>>map(url -> () -> url)
                .orElse(() -> "http://" + selfHost + ":" + boundPort(httpServer.get(), configuredPort) + "/mcp"));
        parseServers(mcp.servers().orElse(List.of())).forEach((name, url) -> {
            if (urlsByName.putIfAbsent(name, () -> url) != null) {
                throw new IllegalArgumentException("MCP server name '" + name + "' is used twice (MCP_SERVER_NAME and "
                        + "MCP_SERVERS names must differ)");
            }
        });
        List<McpServerConnection> built = new ArrayList<>();
        // the service's own /mcp asks for an API key once keys are on: its own client has one
        Supplier<Map<String, String>> ownHeaders = () -> keys.enabled()
                ? Map.of("Authorization", "Bearer " + keys.internalKey()) : Map.of();
        urlsByName.forEach((name, url) -> built.add(new McpServerConnection(name, url, mcp.connectTimeout(),
                mcp.toolTimeout(), name.equals(ownServerName) ? ownHeaders : Map::of)));
        this.connections = List.copyOf(built);
    }

    /**
     * The port the HTTP server listens on. After a dev-mode live reload the server keeps listening but reports -1,
     * so the configured port stands in (a test port of 0 is always resolved by then).
     */
    private static int boundPort(HttpServer server, int configuredPort) {
        int port = server.getPort();
        return port > 0 ? port : configuredPort;
    }

    /** MCP_SERVERS entries, name=url each, by name in order; a malformed one stops start-up, naming MCP_SERVERS. */
    static Map<String, String> parseServers(List<String> entries) {
        Map<String, String> servers = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).trim();
            String url = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (name.isEmpty() || !isHttpUrl(url)) {
                throw new IllegalArgumentException("MCP_SERVERS entry '" + entry.trim()
                        + "' is not of the form name=http(s)://host[:port]/path");
            }
            if (servers.putIfAbsent(name, url) != null) {
                throw new IllegalArgumentException("MCP_SERVERS names the server '" + name + "' twice");
            }
        }
        return servers;
    }

    private static boolean isHttpUrl(String url) {
        try {
            java.net.URI uri = new java.net.URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Where this service reaches itself: loopback when it listens on every interface, else the address it binds. */
    static String selfHost(String httpHost) {
        String host = httpHost == null ? "" : httpHost.trim();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "localhost";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Whether this is the service's own calculator at /mcp (its URL is known once the HTTP server listens). */
    public boolean isOwn(McpServerConnection connection) {
        return connection.name().equals(ownServerName);
    }

    public List<McpServerConnection> connections() {
        return connections;
    }

    /**
     * The last {@link #catalog()}, when it is younger than {@link #RECENT} and every server answered it: chats in a
     * row need not leave the event loop to ask again (the MCP client keeps each server's list, so asking costs no
     * call, but it blocks when the list is out of date). A server that fails, or a changed list, is seen within
     * {@link #RECENT}.
     */
    public Optional<ToolCatalog> recentCatalog() {
        Listed last = recent;
        return last != null && System.nanoTime() - last.atNanos() < RECENT.toNanos() ? Optional.of(last.catalog())
                : Optional.empty();
    }

    /**
     * Blocking: every tool of every reachable server that the tool policy allows; a tool name taken by an earlier
     * server is skipped.
     */
    public ToolCatalog catalog() {
        Map<String, ToolCatalog.McpTool> tools = new LinkedHashMap<>();
        List<ToolCatalog.FilteredTool> filtered = new ArrayList<>();
        List<McpServerUnavailableException> unavailable = new ArrayList<>();
        for (McpServerConnection connection : connections) {
            try {
                for (ToolSpecification spec : connection.listTools()) {
                    String refusal = policy.refusal(connection.name(), spec.name());
                    if (refusal != null) {
                        filtered.add(new ToolCatalog.FilteredTool(spec.name(), connection.name(), refusal));
                    } else {
                        tools.putIfAbsent(spec.name(), new ToolCatalog.McpTool(spec, connection));
                    }
                }
            } catch (McpServerUnavailableException e) {
                unavailable.add(e);
            }
        }
        ToolCatalog catalog = new ToolCatalog(List.copyOf(tools.values()), List.copyOf(filtered),
                List.copyOf(unavailable));
        recent = unavailable.isEmpty() ? new Listed(catalog, System.nanoTime()) : null;
        return catalog;
    }

    @PreDestroy
    void close() {
        connections.forEach(McpServerConnection::close);
    }
}
