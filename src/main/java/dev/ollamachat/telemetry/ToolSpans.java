package dev.ollamachat.telemetry;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.ollamachat.mcp.ToolCatalog;
import dev.ollamachat.mcp.ToolOutcome;
import dev.ollamachat.mcp.Toolbox;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import java.util.Optional;

/** One TOOL span per tool call, on every endpoint, as a decorator around the toolbox. */
@Decorator
@Priority(10)
class ToolSpans implements Toolbox {

    @Inject
    @Delegate
    Toolbox toolbox;

    @Inject
    ChatTelemetry telemetry;

    @Override
    public ToolCatalog offer() {
        return toolbox.offer();
    }

    @Override
    public java.util.Optional<ToolCatalog> recentOffer() {
        return toolbox.recentOffer();
    }

    @Override
    public ToolOutcome run(ToolCatalog catalog, ToolExecutionRequest request) {
        if (!telemetry.enabled()) {
            return toolbox.run(catalog, request);
        }
        Optional<ToolCatalog.McpTool> tool = catalog.find(request.name());
        Span span = telemetry.startTool(Context.current(), request,
                tool.map(t -> t.server().name()).orElse(null), tool.map(t -> t.server().url()).orElse(null),
                tool.map(t -> t.specification().description()).orElse(null));
        ToolOutcome outcome;
        try (Scope ignored = span.makeCurrent()) {
            outcome = toolbox.run(catalog, request);
        } catch (RuntimeException e) {
            telemetry.failed(span, e);
            span.end();
            throw e;
        }
        telemetry.endTool(span, outcome.result(), outcome.error());
        return outcome;
    }
}
