package dev.ollamachat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartupReportTest {

    @Test
    void anOllamaUrlPasses() {
        assertEquals("http://localhost:11434", StartupReport.requireHttpUrl("http://localhost:11434"));
        assertEquals("https://gpu-box.example", StartupReport.requireHttpUrl("https://gpu-box.example"));
    }

    @Test
    void somethingElseStopsTheServiceNamingTheVariable() {
        for (String bad : new String[] {"ftp://host", "http://", "not a url", "http:///path"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> StartupReport.requireHttpUrl(bad));
            assertTrue(e.getMessage().startsWith("OLLAMA_HOST '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void servingBeyondLoopbackNeedsKeysOrAuthNone() {
        StartupReport.requireSafeBinding("127.0.0.1", false, false);
        StartupReport.requireSafeBinding("localhost", false, false);
        StartupReport.requireSafeBinding("0.0.0.0", true, false);
        StartupReport.requireSafeBinding("0.0.0.0", false, true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StartupReport.requireSafeBinding("0.0.0.0", false, false));
        assertTrue(e.getMessage().contains("CHAT_API_KEYS") && e.getMessage().contains("AUTH=none"), e.getMessage());
    }

    @Test
    void aHeapTheJvmSizedForABatchJobGetsTheLaunchFlagsHint() {
        long mib = 1024 * 1024;
        String hint = StartupReport.jvmSizingHint(6144 * mib, List.of("G1 Young Generation", "G1 Old Generation"))
                .orElseThrow();
        assertTrue(hint.contains("6144 MB") && hint.contains("G1 Young Generation") && hint.contains("-Xmx192m"), hint);
        assertTrue(StartupReport.jvmSizingHint(185 * mib, List.of("G1 Young Generation")).isPresent(),
                "a small heap, but G1");
        assertTrue(StartupReport.jvmSizingHint(2048 * mib, List.of("Copy", "MarkSweepCompact")).isPresent(),
                "Serial GC, but a big heap");
        assertTrue(StartupReport.jvmSizingHint(185 * mib, List.of("Copy", "MarkSweepCompact")).isEmpty(),
                "the documented flags: nothing to say");
    }
}
