package dev.ollamachat.api;

import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.mcp.McpServers;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Checks at start-up what would otherwise fail every chat later (OLLAMA_HOST, MCP_SERVERS, the tool policy), and
 * says in one line what the service talks to. A setting that makes the service unusable stops it, naming the variable.
 */
@ApplicationScoped
class StartupReport {

    private static final Logger LOG = Logger.getLogger(StartupReport.class);

    void onStart(@Observes StartupEvent event, ChatConfig config, McpServers servers,
            @ConfigProperty(name = "OLLAMA_HOST") Optional<String> rawOllamaHost) {
        String ollama = requireHttpUrl(config.ollama().host());
        rawOllamaHost.filter(raw -> !raw.contains("://")).ifPresent(raw -> LOG.infof(
                "OLLAMA_HOST '%s' has no scheme; calling Ollama at %s", raw, ollama));
        LOG.infof("Chatting with model %s at Ollama %s; MCP servers: %s; at most %d tool rounds a turn",
                config.ollama().model(), ollama,
                servers.connections().stream()
                        .map(c -> c.name() + " " + (servers.isOwn(c) ? "(this service's /mcp)" : c.url()))
                        .collect(Collectors.joining(", ")),
                config.maxToolRounds());
    }

    /** The URL, or a start-up failure that names OLLAMA_HOST and says what a good value looks like. */
    static String requireHttpUrl(String host) {
        try {
            URI uri = URI.create(host);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return host;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalStateException("OLLAMA_HOST '" + host + "' is not an Ollama URL; write it as "
                + "http://host:11434 (or host:11434)");
    }
}
