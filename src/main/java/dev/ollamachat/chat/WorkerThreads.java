package dev.ollamachat.chat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs blocking work (MCP calls) on a worker thread. Inside a request it runs on that request's Vert.x context, so
 * what Quarkus keeps there (the request's trace context, the log MDC) is the same on the worker.
 */
final class WorkerThreads {

    private final Context context;

    private WorkerThreads(Context context) {
        this.context = context;
    }

    /** Workers for the caller's Vert.x context (or Mutiny's worker pool outside one). */
    static WorkerThreads ofCurrentContext() {
        return new WorkerThreads(Vertx.currentContext());
    }

    <T> Uni<T> run(Supplier<T> work) {
        if (context == null) {
            return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
        return Uni.createFrom().emitter(emitter -> context.executeBlocking(work::get, false).onComplete(result -> {
            if (result.succeeded()) {
                emitter.complete(result.result());
            } else {
                emitter.fail(result.cause());
            }
        }));
    }
}
