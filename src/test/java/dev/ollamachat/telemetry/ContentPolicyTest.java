package dev.ollamachat.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.config.ChatConfig;
import org.junit.jupiter.api.Test;

class ContentPolicyTest {

    @Test
    void captureOffLeavesContentOut() {
        ContentPolicy policy = new ContentPolicy(false, hide(false, false), 100);
        assertNull(policy.input("question"));
        assertNull(policy.output("answer"));
        assertNull(policy.preview("question", 10, false));
        assertFalse(policy.showsInputMessages());
        assertFalse(policy.showsOutputMessages());
    }

    @Test
    void hideSwitchesRedact() {
        ContentPolicy policy = new ContentPolicy(true, hide(true, true), 100);
        assertEquals("__REDACTED__", policy.input("question"));
        assertEquals("__REDACTED__", policy.output("answer"));
        assertFalse(policy.showsInputMessages(), "hiding inputs hides input messages too");
        assertFalse(policy.showsTools());
        assertFalse(policy.showsInvocationParameters());
    }

    @Test
    void longValuesAreCappedAndPreviewsAreShort() {
        ContentPolicy policy = new ContentPolicy(true, hide(false, false), 10);
        assertEquals("0123456789", policy.input("0123456789abcdef"));
        assertEquals("0123", policy.preview("0123456789abcdef", 4, true));
        assertTrue(policy.showsInputMessages());
    }

    @Test
    void endpointIsTakenWithOrWithoutTheTracesPath() {
        assertEquals("http://localhost:6006", TelemetryExportConfig.exporterBase("http://localhost:6006/v1/traces"));
        assertEquals("http://localhost:6006", TelemetryExportConfig.exporterBase("http://localhost:6006/"));
        assertEquals("https://app.phoenix.arize.com/s/me",
                TelemetryExportConfig.exporterBase("https://app.phoenix.arize.com/s/me/v1/traces"));
        assertNull(TelemetryExportConfig.exporterBase("localhost:6006"));
        assertNull(TelemetryExportConfig.exporterBase("not a url"));
    }

    private static ChatConfig.Hide hide(boolean everything, boolean alsoToolsAndParameters) {
        return new ChatConfig.Hide() {
            public boolean inputs() { return everything; }
            public boolean outputs() { return everything; }
            public boolean inputMessages() { return everything; }
            public boolean outputMessages() { return everything; }
            public boolean inputText() { return everything; }
            public boolean outputText() { return everything; }
            public boolean llmTools() { return alsoToolsAndParameters; }
            public boolean llmInvocationParameters() { return alsoToolsAndParameters; }
        };
    }
}
