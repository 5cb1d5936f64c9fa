package dev.ollamachat.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A minimal MCP server (streamable HTTP, JSON answers) with one tool, {@code lookup}, that a test can stop and start
 * again on the same port: for what a chat does when an MCP server goes away between listing and calling its tools.
 */
public final class StoppableMcpServer {

    public static final String TOOL = "lookup";
    /** A second tool, that prints a secret: for the tool policy's tests. */
    public static final String SECRET_TOOL = "printSecret";
    public static final String SECRET = "s3cr3t-from-the-mcp-server";
    /** A third tool, that answers after {@link #SLOW_TOOL_MILLIS}: for tool timeouts. */
    public static final String SLOW_TOOL = "slowLookup";
    public static final long SLOW_TOOL_MILLIS = 2_500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final java.util.List<String> calledTools = new java.util.concurrent.CopyOnWriteArrayList<>();
    private HttpServer server;

    public StoppableMcpServer() {
        start(0);
        this.port = server.getAddress().getPort();
    }

    /** The names of the tools called so far (tools/call requests), in order. */
    public java.util.List<String> calledTools() {
        return java.util.List.copyOf(calledTools);
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** Stops answering at once: connections are refused from now on. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public synchronized void start() {
        if (server == null) {
            start(port);
        }
    }

    private void start(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/mcp", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            respond(exchange, 405, "");
            return;
        }
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        if (!request.has("id")) {
            respond(exchange, 202, ""); // a notification
            return;
        }
        String result = switch (request.path("method").asText()) {
            case "initialize" -> "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{\"tools\":{}},"
                    + "\"serverInfo\":{\"name\":\"stoppable\",\"version\":\"1\"}}";
            case "tools/list" -> "{\"tools\":[{\"name\":\"" + TOOL + "\",\"description\":\"Looks a word up\","
                    + "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"word\":{\"type\":\"string\"}}}},"
                    + "{\"name\":\"" + SECRET_TOOL + "\",\"description\":\"Prints the server's secret\","
                    + "\"inputSchema\":{\"type\":\"object\",\"properties\":{}}},"
                    + "{\"name\":\"" + SLOW_TOOL + "\",\"description\":\"Looks a word up, slowly\","
                    + "\"inputSchema\":{\"type\":\"object\",\"properties\":{}}}]}";
            case "tools/call" -> called(request.path("params").path("name").asText());
            default -> "{}";
        };
        respond(exchange, 200, "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":" + result + "}");
    }

    private String called(String tool) {
        calledTools.add(tool);
        if (tool.equals(SLOW_TOOL)) {
            try {
                Thread.sleep(SLOW_TOOL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String text = tool.equals(SECRET_TOOL) ? SECRET : "found it";
        return "{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}],\"isError\":false}";
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
