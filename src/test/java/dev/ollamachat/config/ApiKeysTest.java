package dev.ollamachat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void withoutKeysAuthenticationIsOffAndNothingMatches() {
        ApiKeys keys = new ApiKeys(List.of(), false);
        assertFalse(keys.enabled());
        assertEquals(Optional.empty(), keys.nameOf("anything-at-all"));
        assertEquals(Optional.empty(), keys.nameOf(keys.internalKey()), "the internal key too: nothing is guarded");
    }

    @Test
    void namedAndUnnamedKeysAreFoundByTheirKey() {
        ApiKeys keys = new ApiKeys(List.of("alice:alice-key-123", " bob-key-4567 ", "", "# a comment"), false);
        assertTrue(keys.enabled());
        assertEquals(2, keys.count());
        assertEquals(Optional.of("alice"), keys.nameOf("alice-key-123"));
        assertEquals(Optional.of("key-1"), keys.nameOf("bob-key-4567"));
        assertEquals(Optional.empty(), keys.nameOf("alice-key-12"));
        assertEquals(Optional.empty(), keys.nameOf("alice:alice-key-123"), "the name is not part of the key");
    }

    @Test
    void theServiceHasAKeyOfItsOwnForItsOwnMcpServer() {
        ApiKeys keys = new ApiKeys(List.of("alice:alice-key-123"), false);
        assertEquals(Optional.of(ApiKeys.INTERNAL_NAME), keys.nameOf(keys.internalKey()));
        assertTrue(keys.internalKey().length() >= 40);
        assertNotEquals(keys.internalKey(), new ApiKeys(List.of("alice:alice-key-123"), false).internalKey(),
                "made anew at each start");
    }

    @Test
    void aShortKeyStopsTheServiceNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ApiKeys(List.of("bob:short"), false));
        assertTrue(e.getMessage().startsWith("CHAT_API_KEYS"), e.getMessage());
        assertFalse(e.getMessage().contains("short"), "the key itself is never in a message: " + e.getMessage());
    }
}
