package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One MCP server over streamable HTTP. It connects on first use, and after a failure it reconnects on a later
 * use, no sooner than the back-off, so that a server that is down costs a chat nothing but a warning.
 */
public final class McpServerConnection {

    private static final Logger LOG = Logger.getLogger(McpServerConnection.class);
    private static final long RETRY_BACKOFF_NANOS = Duration.ofSeconds(5).toNanos();
    /**
     * What the MCP client returns, as if it were the tool's result, when a tool does not answer in time; the toolbox
     * turns it into an error.
     */
    static final String TOOL_TIMEOUT_RESULT = "ollama-chat: the tool did not answer in time";

    private final String name;
    private final Supplier<String> url;
    private final Duration connectTimeout;
    private final Duration toolTimeout;
    private final Supplier<Map<String, String>> headers;
    private McpClient client;
    private String lastError;
    private long retryAfterNanos;

    McpServerConnection(String name, Supplier<String> url, Duration connectTimeout, Duration toolTimeout,
            Supplier<Map<String, String>> headers) {
        this.headers = headers;
        this.name = name;
        this.url = url;
        this.connectTimeout = connectTimeout;
        this.toolTimeout = toolTimeout;
    }

    public String name() {
        return name;
    }

    public String url() {
        return url.get();
    }

    /** Longest wait for one tool call (MCP_TOOL_TIMEOUT). */
    Duration toolTimeout() {
        return toolTimeout;
    }

    /** The server's tools; throws {@link McpServerUnavailableException} when it cannot be reached. */
    public List<ToolSpecification> listTools() {
        McpClient connected = connected();
        try {
            return connected.listTools();
        } catch (RuntimeException e) {
            throw disconnect(connected, e);
        }
    }

    /** Pings the server, connecting first if needed. */
    public void checkHealth() {
        McpClient connected = connected();
        try {
            connected.checkHealth();
        } catch (RuntimeException e) {
            throw disconnect(connected, e);
        }
    }

    McpClient connected() {
        synchronized (this) {
            if (client != null) {
                return client;
            }
            if (lastError != null && System.nanoTime() < retryAfterNanos) {
                throw new McpServerUnavailableException(name, url(), lastError);
            }
            try {
                client = new DefaultMcpClient.Builder()
                        .key(name)
                        .clientName("ollama-chat")
                        .transport(new StreamableHttpMcpTransport.Builder()
                                .url(url())
                                .customHeaders(headers.get())
                                // longer than the tool timeout, so that a slow tool is a tool timeout, not a lost server
                                .timeout(toolTimeout.plus(connectTimeout))
                                .build())
                        .initializationTimeout(connectTimeout)
                        .toolExecutionTimeout(toolTimeout)
                        .toolExecutionTimeoutErrorMessage(TOOL_TIMEOUT_RESULT)
                        .autoHealthCheck(false)
                        .build();
                if (lastError != null) {
                    LOG.infof("MCP server '%s' at %s is reachable again", name, url());
                }
                lastError = null;
                return client;
            } catch (RuntimeException e) {
                markFailed(e);
                throw new McpServerUnavailableException(name, url(), lastError);
            }
        }
    }

    McpServerUnavailableException disconnect(McpClient failed, RuntimeException cause) {
        synchronized (this) {
            if (client == failed) {
                closeQuietly(client);
                client = null;
            }
            markFailed(cause);
            return new McpServerUnavailableException(name, url(), lastError);
        }
    }

    private void markFailed(Throwable cause) {
        String reason = rootMessage(cause);
        if (!reason.equals(lastError)) {
            LOG.warnf("MCP server '%s' at %s is unavailable: %s", name, url(), reason);
        }
        lastError = reason;
        retryAfterNanos = System.nanoTime() + RETRY_BACKOFF_NANOS;
    }

    void close() {
        synchronized (this) {
            closeQuietly(client);
            client = null;
        }
    }

    private static void closeQuietly(McpClient client) {
        if (client == null) {
            return;
        }
        try {
            client.close();
        } catch (Exception ignored) {
            // closing a broken connection has nothing left to report
        }
    }

    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        // what users read: say what happened, not which Java class said it
        if (root instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (root instanceof java.net.http.HttpTimeoutException || root instanceof java.util.concurrent.TimeoutException) {
            return "no answer in time";
        }
        return root instanceof java.io.IOException ? "the connection failed" : "it failed without saying why";
    }
}
