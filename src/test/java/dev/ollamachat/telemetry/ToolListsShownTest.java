package dev.ollamachat.telemetry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolSpecification;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolListsShownTest {

    private static final ToolSpecification ADD = ToolSpecification.builder().name("add").description("a + b").build();
    private static final ToolSpecification SEARCH = ToolSpecification.builder().name("search").build();

    @Test
    void schemasGoOncePerConversationAndAgainWhenTheListChanges() {
        LlmSpans.ToolListsShown shown = new LlmSpans.ToolListsShown();
        assertTrue(shown.changed("c1", List.of(ADD)), "the conversation's first call");
        assertFalse(shown.changed("c1", List.of(ADD)), "the same list again");
        assertTrue(shown.changed("c2", List.of(ADD)), "another conversation");
        assertTrue(shown.changed("c1", List.of(ADD, SEARCH)), "a tool came");
        assertFalse(shown.changed("c1", List.of(ADD, SEARCH)));
        assertTrue(shown.changed("c1", List.of()), "the tools went");
        assertTrue(shown.changed(null, List.of(ADD)), "outside a conversation: every call");
        assertTrue(shown.changed(null, List.of(ADD)));
    }

    @Test
    void forgettingEveryConversationOnlyMeansWritingTheSchemasOnceMore() {
        LlmSpans.ToolListsShown shown = new LlmSpans.ToolListsShown();
        for (int i = 0; i < LlmSpans.ToolListsShown.REMEMBERED; i++) {
            shown.changed("c" + i, List.of(ADD));
        }
        assertFalse(shown.changed("c1", List.of(ADD)), "still remembered at the limit");
        shown.changed("one more", List.of(ADD));
        assertTrue(shown.changed("c1", List.of(ADD)), "forgotten past the limit");
    }
}
