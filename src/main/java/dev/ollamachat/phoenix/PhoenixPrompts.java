package dev.ollamachat.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamachat.chat.SystemPrompts;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.telemetry.TraceLinks;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The system prompt of new conversations: SYSTEM_PROMPT when set; else, with PHOENIX_PROMPT, the system message of
 * that Phoenix prompt (its latest version, a tagged one, or one version by id), read at start-up and every
 * PHOENIX_PROMPT_REFRESH; else the built-in prompt, which also stands in while Phoenix cannot be read (said once,
 * and once more when it can be again). Start-up does not wait for Phoenix.
 */
@ApplicationScoped
public class PhoenixPrompts implements SystemPrompts {

    private static final Logger LOG = Logger.getLogger(PhoenixPrompts.class);
    /** Phoenix's own rule for prompt and tag names; anything else in PHOENIX_PROMPT is a version id. */
    private static final Pattern NAME = Pattern.compile("^[a-z0-9]([_a-z0-9-]*[a-z0-9])?$");
    private static final int REMEMBERED = 32;

    private final PhoenixRestApi phoenix;
    private final Vertx vertx;
    private final Optional<String> base;
    private final String authorization;
    private final Optional<String> wanted;
    private final long refreshMillis;
    private final SystemPrompt fixed;
    private final AtomicBoolean failing = new AtomicBoolean();
    /** Prompts given out, by text, so a later turn's trace can name the version its conversation started with. */
    private final Map<String, SystemPrompt> givenOut = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SystemPrompt> eldest) {
            return size() > REMEMBERED;
        }
    };
    private volatile SystemPrompt current;
    private long timer = -1;

    PhoenixPrompts(@RestClient PhoenixRestApi phoenix, Vertx vertx, TraceLinks traces, ChatConfig config) {
        this.phoenix = phoenix;
        this.vertx = vertx;
        this.base = traces.phoenixBase();
        this.authorization = PhoenixRestApi.authorization(config);
        this.wanted = config.telemetry().prompt().map(String::trim).filter(name -> !name.isEmpty());
        this.refreshMillis = Math.max(1000, config.telemetry().promptRefresh().toMillis());
        this.fixed = config.systemPrompt().filter(text -> !text.isBlank())
                .map(text -> new SystemPrompt(text, "SYSTEM_PROMPT", null))
                .orElse(null);
        this.current = fixed != null ? fixed : SystemPrompt.builtIn();
        remember(current);
    }

    void start(@Observes StartupEvent started) {
        if (wanted.isEmpty()) {
            return;
        }
        if (fixed != null) {
            LOG.warnf("SYSTEM_PROMPT is set, so PHOENIX_PROMPT (%s) is not read", wanted.get());
            return;
        }
        if (base.isEmpty()) {
            LOG.warnf("PHOENIX_PROMPT (%s) cannot be read: PHOENIX_ENDPOINT is not an http(s) URL; the built-in "
                    + "prompt is used", wanted.get());
            return;
        }
        refresh();
        timer = vertx.setPeriodic(refreshMillis, ignored -> refresh());
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    @Override
    public SystemPrompt current() {
        return current;
    }

    @Override
    public Optional<SystemPrompt> find(String text) {
        synchronized (givenOut) {
            return Optional.ofNullable(givenOut.get(text));
        }
    }

    /** Reads PHOENIX_PROMPT now; what it reads becomes the prompt of the conversations that start after it. */
    private void refresh() {
        String prompt = wanted.orElseThrow();
        read(prompt).map(PhoenixPrompts::toPrompt)
                .subscribe().with(this::use, failure -> unavailable(prompt, failure));
    }

    private Uni<PhoenixRestApi.PromptVersionData> read(String prompt) {
        String url = base.orElseThrow();
        int at = prompt.indexOf('@');
        if (at > 0) {
            return phoenix.taggedPrompt(url, prompt.substring(0, at), prompt.substring(at + 1), authorization);
        }
        return NAME.matcher(prompt).matches() ? phoenix.latestPrompt(url, prompt, authorization)
                : phoenix.promptVersion(url, prompt, authorization);
    }

    private static SystemPrompt toPrompt(PhoenixRestApi.PromptVersionData data) {
        PhoenixRestApi.PromptVersion version = data == null ? null : data.data();
        if (version == null || version.template() == null) {
            throw new IllegalStateException("Phoenix answered without a template");
        }
        PhoenixRestApi.PromptTemplate template = version.template();
        String text;
        if (template.messages() != null) {
            text = template.messages().stream()
                    .filter(m -> "system".equalsIgnoreCase(m.role()) || "developer".equalsIgnoreCase(m.role()))
                    .map(m -> textOf(m.content())).filter(t -> !t.isBlank())
                    .collect(Collectors.joining("\n\n"));
            if (text.isBlank()) {
                throw new IllegalStateException("its template has no system message");
            }
        } else if (template.template() != null && !template.template().isBlank()) {
            text = template.template();
        } else {
            throw new IllegalStateException("its template is empty");
        }
        return new SystemPrompt(text, "phoenix", version.id());
    }

    private static String textOf(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                text.append(part.path("text").asText());
            }
        }
        return text.toString();
    }

    private void use(SystemPrompt read) {
        SystemPrompt before = current;
        current = read;
        remember(read);
        if (failing.compareAndSet(true, false)) {
            LOG.infof("The Phoenix prompt %s can be read again", wanted.orElseThrow());
        }
        if (!read.equals(before)) {
            LOG.infof("New conversations get the Phoenix prompt %s, version %s", wanted.orElseThrow(),
                    read.version());
        }
    }

    private void unavailable(String prompt, Throwable failure) {
        if (failing.compareAndSet(false, true)) {
            LOG.warnf("The Phoenix prompt %s cannot be read from %s (%s); new conversations get the %s prompt "
                    + "until it can (tried again every %d s)", prompt, base.orElseThrow(), why(failure),
                    current.source().equals("phoenix") ? "last read" : "built-in", refreshMillis / 1000);
        }
    }

    private static String why(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WebApplicationException web && web.getResponse() != null) {
                int status = web.getResponse().getStatus();
                return status == 404 ? "Phoenix has no such prompt, tag or version" : "HTTP " + status;
            }
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    private void remember(SystemPrompt prompt) {
        synchronized (givenOut) {
            givenOut.put(prompt.text(), prompt);
        }
    }
}
