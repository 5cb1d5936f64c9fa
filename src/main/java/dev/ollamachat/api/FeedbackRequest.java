package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.phoenix.Feedback;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /api/feedback}: a verdict on the answer recorded in a trace. */
public record FeedbackRequest(
        @Schema(required = true, pattern = FeedbackRequest.TRACE_ID_PATTERN,
                description = "The answer's trace: the traceId of its reply or done event")
        String traceId,
        @Schema(required = true, enumeration = {"-1", "0", "1"}, type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER,
                description = "1: a good answer, -1: a bad one, 0: neither")
        Integer score,
        @Schema(nullable = true, minLength = 1, maxLength = FeedbackRequest.MAX_LABEL_LENGTH,
                pattern = ChatRequest.LABEL_PATTERN,
                description = "What Phoenix shows as the annotation's label; by default good, neutral or bad")
        String label,
        @Schema(nullable = true, maxLength = FeedbackRequest.MAX_COMMENT_LENGTH,
                description = "Why, in the user's words: the annotation's explanation")
        String comment,
        @Schema(nullable = true, minLength = 1, maxLength = ChatRequest.MAX_USER_LENGTH,
                pattern = ChatRequest.LABEL_PATTERN,
                description = "Who gives it; with API keys on, the key's name is used instead, and only the key that "
                        + "asked may judge the answer")
        String user) {

    static final String TRACE_ID_PATTERN = "^[0-9a-fA-F]{32}$";
    private static final Pattern TRACE_ID = Pattern.compile(TRACE_ID_PATTERN);
    static final int MAX_LABEL_LENGTH = 64;
    static final int MAX_COMMENT_LENGTH = 2000;

    /** The feedback this request gives; {@code keyName} is the API key's name, or null when keys are off. */
    static Feedback validated(FeedbackRequest request, String keyName) {
        if (request == null) {
            throw ProblemException.badRequest("The request body must be a JSON object with 'traceId' and 'score'");
        }
        if (request.traceId() == null || !TRACE_ID.matcher(request.traceId()).matches()) {
            throw ProblemException.badRequest("'traceId' is required: the 32 hexadecimal digits of an answer's "
                    + "traceId");
        }
        if (request.score() == null || request.score() < -1 || request.score() > 1) {
            throw ProblemException.badRequest("'score' is required and must be 1 (good), 0 or -1 (bad)");
        }
        if (request.label() != null && (request.label().codePointCount(0, request.label().length()) > MAX_LABEL_LENGTH
                || !ChatRequest.isLabel(request.label()))) {
            throw ProblemException.badRequest("'label' must be 1-" + MAX_LABEL_LENGTH
                    + " printable characters, not all spaces");
        }
        if (request.comment() != null
                && request.comment().codePointCount(0, request.comment().length()) > MAX_COMMENT_LENGTH) {
            throw ProblemException.badRequest("'comment' has more than " + MAX_COMMENT_LENGTH + " characters");
        }
        ChatRequest.requireValidUser(request.user());
        String comment = request.comment() == null || request.comment().isBlank() ? null : request.comment();
        return new Feedback(request.traceId().toLowerCase(Locale.ROOT), request.score(), request.label(), comment,
                keyName != null ? keyName : request.user());
    }
}
