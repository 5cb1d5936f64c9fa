package dev.ollamachat.chat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import java.util.function.Supplier;

/**
 * Runs blocking work (MCP calls) on a worker thread. Inside a request it runs on a context of the turn's own: a copy
 * of the request's Vert.x context as it was when the turn began, so that what Quarkus keeps there (the turn's trace
 * context, the log MDC, the request scope) is the same on the worker, whatever the request's own context holds by
 * the time a tool runs (its handling opens and closes scopes of its own).
 */
final class WorkerThreads {

    private final Context context;

    private WorkerThreads(Context context) {
        this.context = context;
    }

    /** Workers for a copy of the caller's Vert.x context as it is now (or Mutiny's worker pool outside one). */
    static WorkerThreads ofCurrentContext() {
        if (!(Vertx.currentContext() instanceof ContextInternal current)) {
            return new WorkerThreads(null);
        }
        ContextInternal turn = current.duplicate();
        turn.localContextData().putAll(current.localContextData());
        return new WorkerThreads(turn);
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
