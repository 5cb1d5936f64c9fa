package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /api/chat} and {@code POST /api/chat/stream}. */
public record ChatRequest(
        @Schema(required = true, minLength = 1, maxLength = 32000, pattern = ChatRequest.VISIBLE_CHARACTER,
                description = "The user's message: at least one character that is not a space, a control or an "
                        + "invisible format character; at most MAX_MESSAGE_LENGTH (32,000 by default) characters")
        String message,
        @Schema(pattern = ChatRequest.CONVERSATION_ID_PATTERN, nullable = true,
                description = "The conversation to continue; a new one is started when absent")
        String conversationId) {

    /** A character that counts as text: the API description and the check below say the same. */
    static final String VISIBLE_CHARACTER =
            "[^\\s\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u200b-\\u200f\\u2028-\\u202f\\u2060-\\u206f\\ufeff]";
    private static final Pattern VISIBLE = Pattern.compile(VISIBLE_CHARACTER.replace("\\s", "\\s\\p{Z}"));

    static final String CONVERSATION_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";
    private static final Pattern CONVERSATION_ID = Pattern.compile(CONVERSATION_ID_PATTERN);

    /** Rejects what cannot be chatted about, with a detail that says what to fix. */
    static ChatRequest validated(ChatRequest request, int maxMessageLength) {
        if (request == null) {
            throw ProblemException.badRequest("The request body must be a JSON object with a 'message'");
        }
        if (request.message() == null || request.message().isBlank()) {
            throw ProblemException.badRequest("'message' is required and must not be blank");
        }
        if (!VISIBLE.matcher(request.message()).find()) {
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

    static String requireValidConversationId(String id) {
        if (!CONVERSATION_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("'conversationId' must be 1-128 characters of letters, digits, "
                    + "'.', '_', ':' or '-', starting with a letter or digit");
        }
        return id;
    }
}
