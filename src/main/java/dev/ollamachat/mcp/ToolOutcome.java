package dev.ollamachat.mcp;

/** What one tool call came to: its result, or the error the model is shown instead. */
public record ToolOutcome(String server, String result, String error) {

    public boolean failed() {
        return error != null;
    }

    /** What the model reads back: the result, or the error that it can act on; never blank. */
    public String textForModel() {
        if (error != null) {
            return "Error: " + error;
        }
        return result == null || result.isBlank() ? "(the tool returned no text)" : result;
    }
}
