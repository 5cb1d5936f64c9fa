package dev.ollamachat.ollama;

import java.util.concurrent.CancellationException;

/** What listeners are told when a model call ends because its caller went away. */
public final class ModelCallCancelledException extends CancellationException {

    ModelCallCancelledException() {
        super("The model call was cancelled: its caller went away");
    }
}
