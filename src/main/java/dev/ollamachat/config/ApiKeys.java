package dev.ollamachat.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys that may use the service (CHAT_API_KEYS, CHAT_API_KEYS_FILE), each with the name that goes on its
 * traces as {@code user.id}. With none configured, authentication is off. The service's own MCP client gets a key of
 * its own, made at start-up and never shown, so that the built-in calculator at /mcp is reachable when keys are on.
 */
@ApplicationScoped
public class ApiKeys {

    /** The name of the key the service's own MCP client uses. */
    public static final String INTERNAL_NAME = "ollama-chat";

    /** SHA-256 of each key, to its name. */
    private final Map<String, String> namesByDigest;
    private final String internalKey;
    private final boolean authNone;

    @Inject
    ApiKeys(ChatConfig config) {
        this(entries(config.auth()), config.auth().mode().map(m -> m.trim().equalsIgnoreCase("none")).orElse(false));
    }

    ApiKeys(List<String> entries, boolean authNone) {
        Map<String, String> names = new LinkedHashMap<>();
        int unnamed = 0;
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon > 0 ? entry.substring(0, colon).trim() : "key-" + ++unnamed;
            String key = colon > 0 ? entry.substring(colon + 1).trim() : entry;
            if (key.length() < 8) {
                throw new IllegalArgumentException("CHAT_API_KEYS: the key named '" + name
                        + "' has fewer than 8 characters");
            }
            names.put(digest(key), name);
        }
        this.namesByDigest = Map.copyOf(names);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.internalKey = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        this.authNone = authNone;
    }

    /** Whether /api/* and /mcp need a key. */
    public boolean enabled() {
        return !namesByDigest.isEmpty();
    }

    /** How many keys were configured (not counting the internal one). */
    public int count() {
        return namesByDigest.size();
    }

    /** AUTH=none: serving beyond loopback without keys is meant. */
    public boolean authNone() {
        return authNone;
    }

    /** The name of a presented key, if it is one of ours; every key is compared, in constant time. */
    public Optional<String> nameOf(String presented) {
        if (!enabled() || presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        if (MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                internalKey.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(INTERNAL_NAME);
        }
        byte[] wanted = digest(presented).getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, String> entry : namesByDigest.entrySet()) {
            if (MessageDigest.isEqual(wanted, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = entry.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The key the service's own MCP client sends to its own /mcp. */
    public String internalKey() {
        return internalKey;
    }

    private static List<String> entries(ChatConfig.Auth auth) {
        List<String> entries = new ArrayList<>(auth.apiKeys().orElse(List.of()));
        auth.apiKeysFile().filter(f -> !f.isBlank()).ifPresent(file -> {
            try {
                entries.addAll(Files.readAllLines(Path.of(file.trim()), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("CHAT_API_KEYS_FILE '" + file + "' cannot be read: " + e.getMessage());
            }
        });
        return entries;
    }

    private static String digest(String key) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
