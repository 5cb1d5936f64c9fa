package dev.ollamachat.api;

import dev.ollamachat.chat.ChatReply;

import dev.ollamachat.chat.ToolCall;
import dev.ollamachat.phoenix.PhoenixRestApi;
import dev.ollamachat.ollama.OllamaShow;
import dev.ollamachat.ollama.OllamaTags;
import dev.ollamachat.ollama.OllamaWire;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The one place that registers, for a native image, every class of ours that Jackson reads or writes by
 * reflection. Quarkus only registers on its own the types it sees in REST method signatures; several of ours are
 * (de)serialized through the {@code ObjectMapper} directly (the SSE events, the problem bodies, the streaming
 * request body) or sit behind a {@code Response} entity or a {@code Multi}, where it cannot see them.
 *
 * <p>{@code NativeImageHintsTest} works out from the code which classes Jackson sees and fails when this list
 * misses one or names one it never sees; {@code scripts/native-sources-check.sh} checks that the native build's
 * reflection metadata registers each class named here. Nested records are listed one by one on purpose, so that
 * the list reads as the full set.
 *
 * <p>Everything else that the native image needs is registered by the extensions: the CDI beans, the
 * {@code @ConfigMapping} interfaces, the MCP calculator tools, the REST client
 * interfaces, the log filter, the config interceptor named in {@code META-INF/services}, and the static web
 * files under {@code META-INF/resources}.
 */
@RegisterForReflection(targets = {
        // request and response bodies of our REST API (dev.ollamachat.api)
        ChatRequest.class,
        Problem.class,
        ConversationView.class,
        ConversationView.Message.class,
        ConversationView.RequestedTool.class,
        ConversationResource.ConversationList.class,
        FeedbackRequest.class,
        FeedbackResource.FeedbackSaved.class,
        ConversationResource.ConversationSummary.class,
        ToolResource.ToolsView.class,
        ToolResource.ToolView.class,
        ToolResource.FilteredToolView.class,
        ToolResource.ServerView.class,
        ModelResource.ModelsView.class,
        ModelResource.ModelView.class,
        ModelResource.HostView.class,
        // chat replies (dev.ollamachat.chat) and the Server-Sent Events of a streamed turn (dev.ollamachat.api)
        ChatReply.class,
        ChatReply.TokenCounts.class,
        ToolCall.class,
        SseEvent.class,
        SseEvent.Token.class,
        SseEvent.ToolCall.class,
        SseEvent.ToolResult.class,
        SseEvent.Done.class,
        SseEvent.Error.class,
        // Phoenix's REST API, for feedback and PHOENIX_PROMPT (dev.ollamachat.phoenix)
        PhoenixRestApi.SpanPage.class,
        PhoenixRestApi.PhoenixSpan.class,
        PhoenixRestApi.TraceAnnotations.class,
        PhoenixRestApi.TraceAnnotation.class,
        PhoenixRestApi.Result.class,
        PhoenixRestApi.AnnotationIds.class,
        PhoenixRestApi.AnnotationId.class,
        PhoenixRestApi.PromptVersionData.class,
        PhoenixRestApi.PromptVersion.class,
        PhoenixRestApi.PromptTemplate.class,
        PhoenixRestApi.PromptMessage.class,
        // Ollama's wire format (dev.ollamachat.ollama)
        OllamaWire.ChatRequest.class,
        OllamaWire.Message.class,
        OllamaWire.ToolCall.class,
        OllamaWire.Function.class,
        OllamaWire.Tool.class,
        OllamaWire.ToolFunction.class,
        OllamaWire.Chunk.class,
        OllamaTags.class,
        OllamaTags.Model.class,
        OllamaTags.Details.class,
        OllamaShow.class,
        OllamaShow.Request.class
})
public final class NativeImageHints {

    private NativeImageHints() {
    }
}
