package dev.ollamachat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.LoadState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Phoenix UI in Debian's chromium, driven by Playwright for Java (no browser download), as a user who follows
 * a reply's traceUrl sees it. {@code CHROMIUM_PATH} overrides {@code /usr/bin/chromium}.
 */
final class PhoenixUi {

    private static final double PAGE_TIMEOUT_MS = 30_000;
    private static final long TEXT_WAIT_MS = 20_000;

    private PhoenixUi() {
    }

    /**
     * Opens {@code traceUrl}, which Phoenix's single-page app redirects to the trace; asserts it lands on a URL
     * naming {@code traceId} and shows each of {@code texts}; selects the first text and saves a screenshot.
     */
    static void showTrace(String traceUrl, String traceId, List<String> texts, Path screenshot) {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
        assertTrue(Files.isExecutable(chromium), "no Chromium at " + chromium);
        try (Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(chromium).setHeadless(true)
                        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                "--disable-component-update", "--no-first-run", "--disable-quic")))) {
            Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1600, 1000)).newPage();
            page.setDefaultTimeout(PAGE_TIMEOUT_MS);
            page.navigate(traceUrl);
            page.waitForURL(url -> !java.net.URI.create(url).getPath().startsWith("/redirects/"),
                    new Page.WaitForURLOptions().setTimeout(PAGE_TIMEOUT_MS));
            String landed = page.url();
            assertTrue(landed.contains(traceId), "the traceUrl " + traceUrl + " resolved to " + landed);
            List<String> missing = missing(page, texts);
            if (!missing.isEmpty()) { // one reload settles a slow first load
                page.reload();
                missing = missing(page, texts);
            }
            page.getByText(texts.get(texts.size() - 1)).first().click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            page.screenshot(new Page.ScreenshotOptions().setPath(screenshot));
            assertEquals(List.of(), missing, "texts the trace page did not show; screenshot " + screenshot);
            assertFalse(page.title().isEmpty(), "the page has a title");
        }
    }

    private static List<String> missing(Page page, List<String> texts) {
        long deadline = System.currentTimeMillis() + TEXT_WAIT_MS;
        List<String> missing;
        do {
            missing = new ArrayList<>();
            for (String text : texts) {
                if (!page.getByText(text, new Page.GetByTextOptions().setExact(true)).first().isVisible()) {
                    missing.add(text);
                }
            }
            if (missing.isEmpty()) {
                return missing;
            }
            page.waitForTimeout(500);
        } while (System.currentTimeMillis() < deadline);
        return missing;
    }
}
