package dev.ollamachat.chat;

import java.util.Optional;

/**
 * Where a new conversation's system prompt comes from: SYSTEM_PROMPT, else the Phoenix prompt PHOENIX_PROMPT (read at
 * start-up and refreshed), else {@link #BUILT_IN}. A conversation keeps the prompt it started with.
 */
public interface SystemPrompts {

    /** The prompt the service was built with: the default, and the fallback while Phoenix cannot be read. */
    String BUILT_IN = """
            You are a helpful assistant running on a local model.
            When a question needs arithmetic, call the calculator tools instead of computing it yourself,
            then answer in one short sentence that states the result.
            """;

    /** The prompt a conversation starting now gets. */
    SystemPrompt current();

    /** The prompt whose text this is, when it is one that was given out (for the trace of a later turn). */
    Optional<SystemPrompt> find(String text);

    /**
     * A system prompt: its text, where it came from ({@code source}: "built-in", "SYSTEM_PROMPT" or "phoenix") and,
     * for a Phoenix prompt, {@code version} (the prompt version's id; null otherwise).
     */
    record SystemPrompt(String text, String source, String version) {

        public static SystemPrompt builtIn() {
            return new SystemPrompt(BUILT_IN, "built-in", null);
        }
    }
}
