package dev.ollamachat.ollama;

import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.config.OllamaHostUrl;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The Ollama servers chats go to: OLLAMA_HOSTS, or the one OLLAMA_HOST. Each model call goes to the host with the
 * fewest calls in flight (the next in turn among equals); a host that cannot be reached is skipped for
 * {@link #RETRY_AFTER} and then tried again. A call never changes host once Ollama has started answering.
 */
@ApplicationScoped
public class OllamaHosts {

    private static final Logger LOG = Logger.getLogger(OllamaHosts.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    /** One Ollama server and what this service knows of it now. */
    public static final class Host {
        private final String url;
        private final String address;
        private final int port;
        private final int order;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicLong downUntilNanos = new AtomicLong();
        private final AtomicBoolean down = new AtomicBoolean();

        Host(String url, int order) {
            this.url = url;
            this.order = order;
            URI parsed = parse(url);
            this.address = parsed == null || parsed.getHost() == null ? "unknown" : parsed.getHost();
            this.port = parsed == null ? 0 : parsed.getPort() > 0 ? parsed.getPort()
                    : "https".equalsIgnoreCase(parsed.getScheme()) ? 443 : 80;
        }

        private static URI parse(String url) {
            try {
                return URI.create(url);
            } catch (IllegalArgumentException e) {
                return null; // the calls to it fail and say why; its spans and metrics name it "unknown"
            }
        }

        public String url() {
            return url;
        }

        /** Its host name or address (server.address of its spans and metrics), parsed once. */
        public String address() {
            return address;
        }

        /** Its port, the scheme's when the URL names none (server.port). */
        public int port() {
            return port;
        }

        public int inFlight() {
            return inFlight.get();
        }
    }

    private final List<Host> hosts;
    private final LongSupplier clock;
    private final AtomicInteger turn = new AtomicInteger();

    @Inject
    OllamaHosts(ChatConfig config) {
        this(urls(config.ollama()), System::nanoTime);
    }

    OllamaHosts(List<String> urls, LongSupplier clock) {
        AtomicInteger order = new AtomicInteger();
        this.hosts = urls.stream().map(url -> new Host(url, order.getAndIncrement())).toList();
        this.clock = clock;
    }

    /** OLLAMA_HOSTS when set (each may be host:port, as for OLLAMA_HOST), else OLLAMA_HOST. */
    public static List<String> urls(ChatConfig.Ollama config) {
        List<String> listed = config.hosts().orElse(List.of()).stream().map(OllamaHostUrl::withScheme)
                .filter(url -> !url.isEmpty()).distinct().toList();
        return listed.isEmpty() ? List.of(config.host()) : listed;
    }

    public List<Host> all() {
        return hosts;
    }

    /** The first host, for messages that name one Ollama (there is just one unless OLLAMA_HOSTS is set). */
    public String firstUrl() {
        return hosts.get(0).url;
    }

    /**
     * The host for the next call, leaving out those already tried for it: the reachable one with the fewest calls in
     * flight, else (all left are marked down) the one whose retry comes first; null when every host was tried.
     */
    Host pick(Set<Host> tried) {
        long now = clock.getAsLong();
        int start = Math.floorMod(turn.getAndIncrement(), hosts.size());
        Comparator<Host> fewestInFlightThenInTurn = Comparator.comparingInt((Host h) -> h.inFlight.get())
                .thenComparingInt(h -> Math.floorMod(h.order - start, hosts.size()));
        return hosts.stream().filter(h -> !tried.contains(h))
                .min(Comparator.comparing((Host h) -> !isUp(h, now)).thenComparing(
                        (a, b) -> isUp(a, now) ? fewestInFlightThenInTurn.compare(a, b)
                                : Long.compare(a.downUntilNanos.get(), b.downUntilNanos.get())))
                .orElse(null);
    }

    void started(Host host) {
        host.inFlight.incrementAndGet();
    }

    void ended(Host host) {
        host.inFlight.decrementAndGet();
    }

    /** The host could not be reached: skip it for a while, and say so once. */
    void unreachable(Host host) {
        host.downUntilNanos.set(clock.getAsLong() + RETRY_AFTER.toNanos());
        if (hosts.size() > 1 && host.down.compareAndSet(false, true)) {
            LOG.warnf("Ollama at %s cannot be reached; its calls go to the other hosts, and it is tried again in %d s",
                    host.url, RETRY_AFTER.toSeconds());
        }
    }

    /** The host answered. */
    void reachable(Host host) {
        host.downUntilNanos.set(0);
        if (host.down.compareAndSet(true, false)) {
            LOG.infof("Ollama at %s answers again", host.url);
        }
    }

    private static boolean isUp(Host host, long now) {
        return now - host.downUntilNanos.get() >= 0 || host.downUntilNanos.get() == 0;
    }
}
