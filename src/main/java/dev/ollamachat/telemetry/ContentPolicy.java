package dev.ollamachat.telemetry;

import dev.ollamachat.config.ChatConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What user content may go on spans. With capture off, none does (the attribute is left out); the OpenInference
 * hide switches replace a value with {@code __REDACTED__}; long values are cut to the configured length.
 */
@ApplicationScoped
public class ContentPolicy {

    private final boolean capture;
    private final ChatConfig.Hide hide;
    private final int maxLength;

    @Inject
    ContentPolicy(ChatConfig config) {
        this(config.telemetry().captureContent(), config.telemetry().hide(), config.telemetry().maxValueLength());
    }

    ContentPolicy(boolean capture, ChatConfig.Hide hide, int maxLength) {
        this.capture = capture;
        this.hide = hide;
        this.maxLength = Math.max(1, maxLength);
    }

    public boolean capturesContent() {
        return capture;
    }

    /** input.value; null means leave the attribute out. */
    public String input(String value) {
        return visible(value, hide.inputs());
    }

    public String output(String value) {
        return visible(value, hide.outputs());
    }

    public boolean showsInputMessages() {
        return capture && !hide.inputMessages() && !hide.inputs();
    }

    public boolean showsOutputMessages() {
        return capture && !hide.outputMessages() && !hide.outputs();
    }

    public String inputMessageText(String text) {
        return visible(text, hide.inputText());
    }

    public String outputMessageText(String text) {
        return visible(text, hide.outputText());
    }

    public boolean showsTools() {
        return !hide.llmTools();
    }

    public boolean showsInvocationParameters() {
        return !hide.llmInvocationParameters();
    }

    /** A preview of at most {@code length} characters; null when content is not captured or inputs are hidden. */
    public String preview(String value, int length, boolean isOutput) {
        String visible = isOutput ? output(value) : input(value);
        if (visible == null || visible.length() <= length) {
            return visible;
        }
        return visible.substring(0, length);
    }

    /** Cuts a value that is not user content (tool schemas, parameters) to the limit. */
    public String capped(String value) {
        if (value == null || value.length() <= maxLength) {
            return value;
        }
        return value.substring(0, maxLength);
    }

    private String visible(String value, boolean hidden) {
        if (!capture || value == null) {
            return null;
        }
        return hidden ? SpanNames.REDACTED : capped(value);
    }
}
