package dev.ollamachat.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolPolicyTest {

    private static ToolPolicy policy(String allow, String deny) {
        return ToolPolicy.of(Optional.ofNullable(allow).map(a -> List.of(a.split(","))),
                Optional.ofNullable(deny).map(d -> List.of(d.split(","))));
    }

    @Test
    void withoutListsEveryToolIsOffered() {
        assertNull(policy(null, null).refusal("everything", "printEnv"));
    }

    @Test
    void aDeniedToolIsOutAndOnlyThatOne() {
        ToolPolicy policy = policy(null, "everything:printEnv");
        assertEquals("denied by MCP_TOOLS_DENY", policy.refusal("everything", "printEnv"));
        assertNull(policy.refusal("everything", "echo"));
        assertNull(policy.refusal("calculator", "printEnv"), "the entry names one server");
    }

    @Test
    void anAllowListKeepsOutWhatItDoesNotNameAndAStarTakesAServersTools() {
        ToolPolicy policy = policy("calculator:*,everything:echo", null);
        assertNull(policy.refusal("calculator", "add"));
        assertNull(policy.refusal("everything", "echo"));
        assertEquals("not in MCP_TOOLS_ALLOW", policy.refusal("everything", "printEnv"));
    }

    @Test
    void denyWinsOverAllow() {
        ToolPolicy policy = policy("everything:*", "everything:printEnv");
        assertNull(policy.refusal("everything", "echo"));
        assertEquals("denied by MCP_TOOLS_DENY", policy.refusal("everything", "printEnv"));
        assertEquals("denied by MCP_TOOLS_DENY", policy("everything:printEnv", "everything:*")
                .refusal("everything", "printEnv"));
    }

    @Test
    void aMalformedEntryNamesTheVariableAndTheEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy(null, "printEnv"));
        assertTrue(e.getMessage().contains("MCP_TOOLS_DENY entry 'printEnv'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> policy("calculator:", null));
        assertTrue(e.getMessage().contains("MCP_TOOLS_ALLOW"), e.getMessage());
    }
}
