package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import java.util.regex.Pattern;

/** Body of {@code POST /api/chat}. */
public record ChatRequest(String message, String conversationId) {

    private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** Rejects what cannot be chatted about, with a detail that says what to fix. */
    static ChatRequest validated(ChatRequest request, int maxMessageLength) {
        if (request == null) {
            throw ProblemException.badRequest("The request body must be a JSON object with a 'message'");
        }
        if (request.message() == null || request.message().isBlank()) {
            throw ProblemException.badRequest("'message' is required and must not be blank");
        }
        if (request.message().codePoints().noneMatch(ChatRequest::isVisible)) {
            throw ProblemException.badRequest("'message' has no text: only spaces, control or format characters");
        }
        if (request.message().length() > maxMessageLength) {
            throw ProblemException.badRequest("'message' has " + request.message().length()
                    + " characters; the limit is " + maxMessageLength);
        }
        if (request.conversationId() != null) {
            requireValidConversationId(request.conversationId());
        }
        return request;
    }

    private static boolean isVisible(int codePoint) {
        return !Character.isWhitespace(codePoint) && !Character.isISOControl(codePoint)
                && Character.getType(codePoint) != Character.FORMAT && !Character.isSpaceChar(codePoint);
    }

    static String requireValidConversationId(String id) {
        if (!CONVERSATION_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("'conversationId' must be 1-128 characters of letters, digits, "
                    + "'.', '_', ':' or '-', starting with a letter or digit");
        }
        return id;
    }
}
