package dev.ollamachat.chat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;

/** When the model calls a tool that no MCP server offers, it is told so and the chat goes on. */
@ApplicationScoped
public class UnknownToolAnswer implements Function<ToolExecutionRequest, ToolExecutionResultMessage> {

    @Override
    public ToolExecutionResultMessage apply(ToolExecutionRequest request) {
        return ToolExecutionResultMessage.from(request,
                "Error: there is no tool named '" + request.name() + "'. Use only the tools you were given.");
    }
}
