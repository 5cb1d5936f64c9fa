package dev.ollamachat.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
