package dev.ollamachat.mcp;

import java.util.List;
import java.util.Optional;

/**
 * Which MCP tools the model may be offered and run (MCP_TOOLS_ALLOW, MCP_TOOLS_DENY): lists of {@code server:tool}
 * entries, where the tool may be {@code *}. A denied tool is out, whatever the allow list says; with an allow list,
 * a tool it does not name is out too. Without either list every tool is offered.
 */
public final class ToolPolicy {

    private final List<Entry> allow;
    private final List<Entry> deny;

    private ToolPolicy(List<Entry> allow, List<Entry> deny) {
        this.allow = allow;
        this.deny = deny;
    }

    /** Parses both lists; a malformed entry fails with a message that names the variable and the entry. */
    public static ToolPolicy of(Optional<List<String>> allow, Optional<List<String>> deny) {
        return new ToolPolicy(allow.map(a -> parse("MCP_TOOLS_ALLOW", a)).orElse(null),
                parse("MCP_TOOLS_DENY", deny.orElse(List.of())));
    }

    /** Null when the tool may be offered; else why not. */
    public String refusal(String server, String tool) {
        if (deny.stream().anyMatch(e -> e.matches(server, tool))) {
            return "denied by MCP_TOOLS_DENY";
        }
        if (allow != null && allow.stream().noneMatch(e -> e.matches(server, tool))) {
            return "not in MCP_TOOLS_ALLOW";
        }
        return null;
    }

    private static List<Entry> parse(String variable, List<String> entries) {
        return entries.stream().map(String::trim).filter(e -> !e.isEmpty()).map(e -> {
            int colon = e.indexOf(':');
            if (colon <= 0 || colon == e.length() - 1) {
                throw new IllegalArgumentException(variable + " entry '" + e
                        + "' is not of the form server:tool (tool may be *), for example calculator:add");
            }
            return new Entry(e.substring(0, colon).trim(), e.substring(colon + 1).trim());
        }).toList();
    }

    private record Entry(String server, String tool) {
        boolean matches(String onServer, String name) {
            return server.equals(onServer) && (tool.equals("*") || tool.equals(name));
        }
    }
}
