package dev.ollamachat.api;

import dev.ollamachat.config.ApiKeys;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.mcp.McpServers;
import dev.ollamachat.ollama.OllamaHosts;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
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

    void onStart(@Observes StartupEvent event, ChatConfig config, OllamaHosts hosts, McpServers servers, ApiKeys keys,
            @ConfigProperty(name = "OLLAMA_HOST") Optional<String> rawOllamaHost,
            @ConfigProperty(name = "quarkus.http.host") String httpHost) {
        String variable = config.ollama().hosts().filter(list -> !list.isEmpty()).isPresent() ? "OLLAMA_HOSTS"
                : "OLLAMA_HOST";
        String ollama = hosts.all().stream().map(host -> requireHttpUrl(variable, host.url()))
                .collect(Collectors.joining(", "));
        requireSafeBinding(httpHost, keys.enabled(), keys.authNone());
        if (!keys.enabled() && !isLoopback(httpHost)) {
            LOG.warnf("AUTH=none: anyone who reaches %s can chat, delete conversations and run the MCP tools; "
                    + "set CHAT_API_KEYS to require a key", httpHost);
        }
        rawOllamaHost.filter(raw -> !raw.contains("://")).ifPresent(raw -> LOG.infof(
                "OLLAMA_HOST '%s' has no scheme; calling Ollama at %s", raw, ollama));
        LOG.infof("Chatting with model %s at Ollama %s; MCP servers: %s; at most %d tool rounds a turn; %s",
                config.ollama().model(), ollama,
                servers.connections().stream()
                        .map(c -> c.name() + " " + (servers.isOwn(c) ? "(this service's /mcp)" : c.url()))
                        .collect(Collectors.joining(", ")),
                config.maxToolRounds(),
                keys.enabled() ? "API keys required on /api and /mcp (" + keys.count() + " configured)"
                        : "no API keys: open to whoever reaches " + httpHost);
        jvmSizingHint(Runtime.getRuntime().maxMemory(), ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList()).ifPresent(LOG::info);
    }

    /** A heap larger than this, chosen by the JVM itself, is worth a word at start-up. */
    static final long SIZED_BY_THE_JVM_ABOVE = 512L * 1024 * 1024;

    /**
     * A hint when the JVM sized the service for a batch job (a plain {@code java -jar} takes a quarter of the
     * machine's memory as heap, and G1 or Parallel GC): under 1,000 streams the README's launch flags peaked about a
     * third lower (README "Deploy").
     */
    static Optional<String> jvmSizingHint(long maxHeapBytes, List<String> collectors) {
        boolean serial = collectors.stream().anyMatch(name -> name.equals("Copy") || name.equals("MarkSweepCompact"));
        if (serial && maxHeapBytes <= SIZED_BY_THE_JVM_ABOVE) {
            return Optional.empty();
        }
        return Optional.of("The JVM runs with a heap of up to " + maxHeapBytes / (1024 * 1024) + " MB and "
                + (serial ? "Serial GC" : String.join(" / ", collectors)) + "; for this service, launch it with "
                + "-Xmx192m -XX:+UseSerialGC, as the container image does: about a third less memory under load "
                + "(README \"Deploy\")");
    }

    /**
     * Serving beyond loopback without API keys needs AUTH=none: otherwise anyone on the network could chat, delete
     * conversations and run every MCP tool.
     */
    static void requireSafeBinding(String httpHost, boolean keysOn, boolean authNone) {
        if (!keysOn && !authNone && !isLoopback(httpHost)) {
            throw new IllegalStateException("HOST=" + httpHost + " serves beyond this machine without API keys: set "
                    + "CHAT_API_KEYS (or CHAT_API_KEYS_FILE), or AUTH=none to serve without them on purpose");
        }
    }

    static boolean isLoopback(String host) {
        String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    /** The URL, or a start-up failure that names OLLAMA_HOST and says what a good value looks like. */
    static String requireHttpUrl(String host) {
        return requireHttpUrl("OLLAMA_HOST", host);
    }

    /** The URL, or a start-up failure that names the variable and says what a good value looks like. */
    static String requireHttpUrl(String variable, String host) {
        try {
            URI uri = URI.create(host);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return host;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalStateException(variable + " '" + host + "' is not an Ollama URL; write it as "
                + "http://host:11434 (or host:11434)");
    }
}
