package dev.ollamachat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ChatService;
import dev.ollamachat.chat.TurnRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /api/chat} and {@code POST /api/chat/stream}. */
@Schema(name = "ChatRequest")
public record ChatRequest(
        @Schema(required = true, minLength = 1, maxLength = 32000, pattern = ChatRequest.VISIBLE_CHARACTER,
                description = "The user's message: at least one character that is not a space, a control or an "
                        + "invisible format character; at most MAX_MESSAGE_LENGTH (32,000 by default) characters")
        String message,
        @Schema(pattern = ChatRequest.CONVERSATION_ID_PATTERN, nullable = true,
                description = "The conversation to continue; a new one is started when absent")
        String conversationId,
        @Schema(ref = "Metadata") Map<String, Object> metadata,
        @Schema(ref = "Tags") List<String> tags,
        @Schema(nullable = true, minLength = 1, maxLength = ChatRequest.MAX_USER_LENGTH,
                pattern = ChatRequest.LABEL_PATTERN,
                description = "Who asks, for the trace's 'user.id'; with API keys on, the key's name is used instead")
        String user,
        @Schema(nullable = true, minLength = 1, maxLength = ChatRequest.MAX_MODEL_LENGTH,
                pattern = ChatRequest.MODEL_PATTERN,
                description = "The Ollama model to answer with, one that GET /api/models lists; OLLAMA_MODEL when "
                        + "absent. A model Ollama does not have is a 400 that names the ones it has")
        String model,
        @Schema(nullable = true, minLength = 1, maxLength = ChatRequest.MAX_USER_LENGTH,
                pattern = ChatRequest.LABEL_PATTERN,
                description = "The Phoenix project this turn's trace is filed under: PHOENIX_PROJECT_NAME (the "
                        + "default) or one of PHOENIX_PROJECTS; any other is a 400 that names them")
        String project) {

    // the same limits as the Metadata and Tags schemas of META-INF/openapi.yaml
    private static final int MAX_METADATA_ENTRIES = 16;
    private static final int MAX_METADATA_KEY_LENGTH = 64;
    private static final int MAX_METADATA_TEXT_LENGTH = 256;
    private static final int MAX_TAGS = 16;
    private static final int MAX_TAG_LENGTH = 64;
    static final int MAX_USER_LENGTH = 128;
    static final int MAX_MODEL_LENGTH = 200;
    /** An Ollama model name: "llama3.1:8b", "library/qwen3:0.6b", "hf.co/user/repo:Q4_K_M". */
    static final String MODEL_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:/+-]*$";
    private static final Pattern MODEL = Pattern.compile(MODEL_PATTERN);
    /** A tag or a user: printable characters with at least one that is not a space. */
    static final String LABEL_PATTERN = "^[^\\x00-\\x1f\\x7f]*[^\\s\\x00-\\x1f\\x7f][^\\x00-\\x1f\\x7f]*$";
    // \s as JSON Schema validators read it (every Unicode space), not Java's ASCII default
    private static final Pattern LABEL = Pattern.compile(LABEL_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request of the GET stream, which takes its message and conversation from the query. */
    static ChatRequest of(String message, String conversationId) {
        return new ChatRequest(message, conversationId, null, null, null, null, null);
    }

    /** A character that counts as text: the API description and the check below say the same. */
    static final String VISIBLE_CHARACTER =
            "[^\\s\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u200b-\\u200f\\u2028-\\u202f\\u2060-\\u206f\\ufeff]";
    private static final Pattern VISIBLE = Pattern.compile(VISIBLE_CHARACTER.replace("\\s", "\\s\\p{Z}"));

    static final String CONVERSATION_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";
    private static final Pattern CONVERSATION_ID = Pattern.compile(CONVERSATION_ID_PATTERN);

    /** Rejects what cannot be chatted about, with a detail that says what to fix. */
    static ChatRequest validated(ChatRequest request, int maxMessageLength, Set<String> projects) {
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
        if (request.metadata() != null) {
            if (request.metadata().size() > MAX_METADATA_ENTRIES) {
                throw ProblemException.badRequest("'metadata' has " + request.metadata().size()
                        + " entries; the limit is " + MAX_METADATA_ENTRIES);
            }
            request.metadata().forEach((key, value) -> {
                if (key.isEmpty() || length(key) > MAX_METADATA_KEY_LENGTH) {
                    throw ProblemException.badRequest("each key of 'metadata' must be 1-" + MAX_METADATA_KEY_LENGTH
                            + " characters");
                }
                boolean scalar = value instanceof Number || value instanceof Boolean
                        || (value instanceof String text && length(text) <= MAX_METADATA_TEXT_LENGTH);
                if (!scalar) {
                    throw ProblemException.badRequest("'metadata." + key + "' must be a string of at most "
                            + MAX_METADATA_TEXT_LENGTH + " characters, a number or true/false");
                }
            });
        }
        if (request.tags() != null) {
            if (request.tags().size() > MAX_TAGS) {
                throw ProblemException.badRequest("'tags' has " + request.tags().size() + " tags; the limit is "
                        + MAX_TAGS);
            }
            for (String tag : request.tags()) {
                if (tag == null || length(tag) > MAX_TAG_LENGTH || !LABEL.matcher(tag).matches()) {
                    throw ProblemException.badRequest("each of 'tags' must be 1-" + MAX_TAG_LENGTH
                            + " printable characters, not all spaces");
                }
            }
        }
        requireValidUser(request.user());
        if (request.model() != null
                && (request.model().length() > MAX_MODEL_LENGTH || !MODEL.matcher(request.model()).matches())) {
            throw ProblemException.badRequest("'model' must be an Ollama model name such as llama3.1:8b: 1-"
                    + MAX_MODEL_LENGTH + " letters, digits or '.', '_', ':', '/', '+', '-'");
        }
        if (request.project() != null && !projects.contains(request.project())) {
            throw ProblemException.badRequest("'project' must be one of " + String.join(", ", new TreeSet<>(projects))
                    + " (PHOENIX_PROJECT_NAME and PHOENIX_PROJECTS)");
        }
        return request;
    }

    /** The turn this request asks for; {@code keyName} is the API key's name, or null when keys are off. */
    ChatService.Ask ask(String keyName) {
        return new ChatService.Ask(conversationId, message, model, keyName, labels(keyName));
    }

    /** What the trace carries for this request; the API key's name, when there is one, is the user. */
    TurnRequest.Labels labels(String keyName) {
        return new TurnRequest.Labels(keyName != null ? keyName : user,
                metadata == null || metadata.isEmpty() ? null : metadataJson(metadata),
                tags == null || tags.isEmpty() ? null : List.copyOf(tags), project);
    }

    /** A request's 'user' (of a chat or of feedback), when it names one: 1-128 printable characters. */
    static void requireValidUser(String user) {
        if (user != null && (length(user) > MAX_USER_LENGTH || !LABEL.matcher(user).matches())) {
            throw ProblemException.badRequest("'user' must be 1-" + MAX_USER_LENGTH
                    + " printable characters, not all spaces");
        }
    }

    /** A tag, a user or a label: printable characters with at least one that is not a space. */
    static boolean isLabel(String text) {
        return LABEL.matcher(text).matches();
    }

    /** Characters as JSON Schema counts them: code points, so an emoji is one. */
    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    /** The metadata as the JSON text the spans carry. */
    static String metadataJson(Map<String, Object> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("'metadata' cannot be written as JSON");
        }
    }

    static String requireValidConversationId(String id) {
        if (!CONVERSATION_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("'conversationId' must be 1-128 characters of letters, digits, "
                    + "'.', '_', ':' or '-', starting with a letter or digit");
        }
        return id;
    }
}
