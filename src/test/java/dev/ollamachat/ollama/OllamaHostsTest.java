package dev.ollamachat.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OllamaHostsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final OllamaHosts hosts = new OllamaHosts(List.of("http://a:11434", "http://b:11434", "http://c:11434"),
            now::get);

    private String next(Set<OllamaHosts.Host> tried) {
        return hosts.pick(tried).url();
    }

    @Test
    void theHostWithFewestCallsInFlightGoesFirstAndEqualsTakeTurns() {
        OllamaHosts.Host a = hosts.all().get(0);
        OllamaHosts.Host b = hosts.all().get(1);
        hosts.started(a);
        hosts.started(a);
        hosts.started(b);
        assertEquals("http://c:11434", next(Set.of()));
        hosts.ended(a);
        hosts.ended(a);
        hosts.ended(b);
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            picked.add(next(Set.of()));
        }
        assertEquals(3, picked.size(), "idle hosts take turns: " + picked);
    }

    @Test
    void anUnreachableHostIsSkippedThenTriedAgain() {
        OllamaHosts.Host a = hosts.all().get(0);
        hosts.unreachable(a);
        for (int i = 0; i < 6; i++) {
            assertEquals(false, next(Set.of()).equals("http://a:11434"), "skipped while marked down");
        }
        now.addAndGet(OllamaHosts.RETRY_AFTER.plus(Duration.ofMillis(1)).toNanos());
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            picked.add(next(Set.of()));
        }
        assertEquals(3, picked.size(), "tried again after the pause: " + picked);
    }

    @Test
    void whenEveryHostLeftIsDownTheOneWhoseRetryComesFirstIsTriedAndNoneAfterAllWereTried() {
        OllamaHosts.Host a = hosts.all().get(0);
        OllamaHosts.Host b = hosts.all().get(1);
        OllamaHosts.Host c = hosts.all().get(2);
        hosts.unreachable(b);
        now.addAndGet(1_000);
        hosts.unreachable(a);
        assertEquals("http://b:11434", next(Set.of(c)), "b's retry comes before a's");
        assertNull(hosts.pick(Set.of(a, b, c)));
    }

    @Test
    void eachHostsAddressAndPortAreThoseOfItsUrlWithTheSchemesPortWhenItNamesNone() {
        List<OllamaHosts.Host> named = new OllamaHosts(List.of("http://gpu-1:11434", "https://ollama.example",
                "http://ollama.example", "http://bad host:1"), now::get).all();
        assertEquals(List.of("gpu-1", "ollama.example", "ollama.example", "unknown"),
                named.stream().map(OllamaHosts.Host::address).toList());
        assertEquals(List.of(11434, 443, 80, 0), named.stream().map(OllamaHosts.Host::port).toList());
    }
}
