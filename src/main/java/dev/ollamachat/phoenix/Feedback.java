package dev.ollamachat.phoenix;

/**
 * A user's verdict on one answer: the trace it was recorded in (32 lower-case hex digits), a score of 1 (good), 0 or
 * -1 (bad), an optional label (by default "good", "neutral" or "bad" after the score) and comment, and who gave it
 * (the API key's name, or the request's user when keys are off; null when nobody is named).
 */
public record Feedback(String traceId, int score, String label, String comment, String user) {

    /** The label Phoenix shows: the one given, else one that says the score. */
    public String labelOrDefault() {
        if (label != null) {
            return label;
        }
        return score > 0 ? "good" : score < 0 ? "bad" : "neutral";
    }
}
