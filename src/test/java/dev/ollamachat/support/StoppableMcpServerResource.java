package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** Adds a {@link StoppableMcpServer} as the MCP server "stoppable" and injects it where tests ask for it. */
public class StoppableMcpServerResource implements QuarkusTestResourceLifecycleManager {

    public static final String NAME = "stoppable";
    private StoppableMcpServer server;

    @Override
    public Map<String, String> start() {
        server = new StoppableMcpServer();
        return Map.of("ollama-chat.mcp.servers", NAME + "=" + server.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(InjectStoppableMcpServer.class,
                StoppableMcpServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectStoppableMcpServer {
    }
}
