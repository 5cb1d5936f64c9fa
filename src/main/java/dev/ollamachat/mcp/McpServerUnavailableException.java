package dev.ollamachat.mcp;

/** An MCP server could not be reached or failed to answer. */
public class McpServerUnavailableException extends RuntimeException {

    private final String server;
    private final String url;

    public McpServerUnavailableException(String server, String url, String reason) {
        super("MCP server '" + server + "' at " + url + " is unavailable: " + reason, null, false, false);
        this.server = server;
        this.url = url;
    }

    public String server() {
        return server;
    }

    public String url() {
        return url;
    }
}
