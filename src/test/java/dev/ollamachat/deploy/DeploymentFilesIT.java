package dev.ollamachat.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of the deployment files on a machine without a container engine or a cluster: the
 * Kubernetes manifests quarkus-kubernetes generated at package time, compose.yaml, the Dockerfiles and nginx.
 * Nothing here builds an image or applies a manifest.
 */
class DeploymentFilesIT {

    private static final Path MANIFESTS = Path.of("target", "kubernetes", "kubernetes.yml");

    @Test
    @SuppressWarnings("unchecked")
    void theGeneratedManifestsHaveProbesLimitsSecretsAndAnAutoscaler() throws IOException {
        assertTrue(Files.exists(MANIFESTS), "quarkus-kubernetes wrote " + MANIFESTS + " at package time");
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object document : new Yaml().loadAll(Files.readString(MANIFESTS))) {
            if (document != null) {
                resources.add((Map<String, Object>) document);
            }
        }
        Map<String, Object> deployment = only(resources, "Deployment");
        Map<String, Object> spec = map(deployment, "spec");
        assertEquals(2, spec.get("replicas"));
        Map<String, Object> container = (Map<String, Object>) ((List<Object>) map(map(spec, "template"), "spec")
                .get("containers")).get(0);
        assertEquals("/q/health/ready", map(map(container, "readinessProbe"), "httpGet").get("path"));
        assertEquals("/q/health/live", map(map(container, "livenessProbe"), "httpGet").get("path"));
        Map<String, Object> resourcesSpec = map(container, "resources");
        assertEquals("512Mi", map(resourcesSpec, "limits").get("memory"));
        assertNotNull(map(resourcesSpec, "requests").get("cpu"));
        List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
        assertTrue(env.stream().anyMatch(e -> "HOST".equals(e.get("name")) && "0.0.0.0".equals(e.get("value"))),
                env.toString());
        assertTrue(env.stream().anyMatch(e -> "JAVA_MAX_MEM_RATIO".equals(e.get("name"))), env.toString());
        String envFrom = String.valueOf(container.get("envFrom"));
        assertTrue(envFrom.contains("secretRef") && envFrom.contains("ollama-chat-secrets"), envFrom);
        assertTrue(envFrom.contains("configMapRef") && envFrom.contains("ollama-chat-config"), envFrom);
        List<Map<String, Object>> ports = (List<Map<String, Object>>) container.get("ports");
        assertTrue(ports.stream().anyMatch(p -> Integer.valueOf(8001).equals(p.get("containerPort"))),
                ports.toString());

        Map<String, Object> service = only(resources, "Service");
        assertTrue(String.valueOf(map(service, "spec").get("ports")).contains("8001"), service.toString());

        Map<String, Object> autoscaler = only(resources, "HorizontalPodAutoscaler");
        Map<String, Object> scaling = map(autoscaler, "spec");
        assertEquals("Deployment", map(scaling, "scaleTargetRef").get("kind"));
        assertEquals(map(deployment, "metadata").get("name"), map(scaling, "scaleTargetRef").get("name"));
        assertEquals(2, scaling.get("minReplicas"));

        Map<String, Object> configMap = only(resources, "ConfigMap");
        assertEquals("redis", map(configMap, "data").get("CONVERSATION_STORE"));
        assertFalse(String.valueOf(configMap).contains("CHAT_API_KEYS"), "keys belong in the Secret");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsTwoReplicasOnRedisBehindALoadBalancer() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("compose.yaml")));
        Map<String, Object> services = map(compose, "services");
        for (String name : List.of("ollama", "phoenix", "redis", "chat-1", "chat-2", "load-balancer")) {
            assertTrue(services.containsKey(name), name + " in " + services.keySet());
        }
        for (String replica : List.of("chat-1", "chat-2")) {
            Map<String, Object> service = map(services, replica);
            Map<String, Object> env = map(service, "environment");
            assertEquals("redis", env.get("CONVERSATION_STORE"));
            assertEquals("redis://redis:6379", env.get("REDIS_URL"));
            assertEquals("http://ollama:11434", env.get("OLLAMA_HOST"));
            assertTrue(String.valueOf(env.get("CHAT_API_KEYS")).startsWith("${CHAT_API_KEYS:?"),
                    "the keys come from the environment and are required");
            assertNotNull(service.get("mem_limit"));
            assertEquals("src/main/docker/Dockerfile.jvm", map(service, "build").get("dockerfile"));
        }
        String nginx = Files.readString(Path.of("deploy", "nginx.conf"));
        assertTrue(nginx.contains("server chat-1:8001") && nginx.contains("server chat-2:8001"), nginx);
        assertTrue(nginx.contains("proxy_buffering off"), "SSE tokens are not held back");
    }

    @Test
    void theJvmImageRunsTheBuildOutputAsNonRootOnAllInterfacesWithAHealthCheck() throws IOException {
        String dockerfile = Files.readString(Path.of("src", "main", "docker", "Dockerfile.jvm"));
        assertTrue(dockerfile.contains("\nUSER 185\n"), "non-root");
        assertTrue(dockerfile.contains("ENV HOST=0.0.0.0"));
        assertTrue(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("/q/health/ready"));
        Matcher copies = Pattern.compile("COPY --chown=185 (target/quarkus-app/[^ ]*) ").matcher(dockerfile);
        int copied = 0;
        while (copies.find()) {
            String source = copies.group(1).replace("*.jar", "quarkus-run.jar");
            assertTrue(Files.exists(Path.of(source)), "the image copies " + source + ", which the build made");
            copied++;
        }
        assertEquals(4, copied, "lib, the run jar, app and quarkus");
        String nativeDockerfile = Files.readString(Path.of("src", "main", "docker", "Dockerfile.native-micro"));
        assertTrue(nativeDockerfile.contains("\nUSER 1001\n") && nativeDockerfile.contains("ENV HOST=0.0.0.0"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertNotNull(value, key + " in " + parent.keySet());
        return (Map<String, Object>) value;
    }

    private static Map<String, Object> only(List<Map<String, Object>> resources, String kind) {
        List<Map<String, Object>> ofKind = resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
        assertEquals(1, ofKind.size(), "one " + kind + " among " + resources.stream().map(r -> r.get("kind"))
                .toList());
        return ofKind.get(0);
    }
}
