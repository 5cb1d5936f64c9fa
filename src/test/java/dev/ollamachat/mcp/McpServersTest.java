package dev.ollamachat.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class McpServersTest {

    @Test
    void theServiceReachesItsOwnMcpServerWhereItListens() {
        assertEquals("localhost", McpServers.selfHost("0.0.0.0"));
        assertEquals("localhost", McpServers.selfHost("::"));
        assertEquals("127.0.0.1", McpServers.selfHost("127.0.0.1"));
        assertEquals("192.168.1.5", McpServers.selfHost("192.168.1.5"));
        assertEquals("[::1]", McpServers.selfHost("::1"));
    }

    @Test
    void mcpServersEntriesAreNameEqualsHttpUrl() {
        assertEquals(Map.of("everything", "http://127.0.0.1:3001/mcp", "files", "https://tools.example/mcp"),
                McpServers.parseServers(List.of("everything=http://127.0.0.1:3001/mcp",
                        " files = https://tools.example/mcp ")));
        assertEquals(Map.of(), McpServers.parseServers(List.of()));
    }

    @Test
    void aMalformedEntryStopsStartUpNamingTheVariable() {
        for (String bad : List.of("everything", "=http://x/mcp", "everything=", "everything=localhost:3001/mcp",
                "everything=ftp://x/mcp", "everything=http://", "everything=not a url")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> McpServers.parseServers(List.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("MCP_SERVERS entry '"), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> McpServers.parseServers(List.of("a=http://x/mcp", "a=http://y/mcp")));
        assertTrue(twice.getMessage().contains("'a' twice"), twice.getMessage());
    }
}
