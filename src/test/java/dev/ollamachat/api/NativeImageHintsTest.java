package dev.ollamachat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.chat.ChatReply;
import dev.ollamachat.ollama.OllamaWire;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeImageHints} registers exactly the classes of ours that Jackson reads or writes, so a native image
 * neither misses one (a body that serialises to {@code {}} or fails to parse) nor carries stale entries.
 *
 * <p>What Jackson sees is worked out from the code, not from a second list: the types in the signatures of every
 * {@code @Path} class (our resources and our REST clients of Ollama), plus the few bodies that go through the
 * {@code ObjectMapper} directly, followed through record components, collection and map type arguments, and the
 * permitted subclasses of sealed interfaces.
 */
class NativeImageHintsTest {

    private static final String OURS = "dev.ollamachat.";
    private static final java.nio.file.Path CLASSES = java.nio.file.Path.of("target/classes");

    /** Bodies (de)serialised through the ObjectMapper, outside any REST signature. */
    private static final List<Class<?>> DIRECT_BODIES = List.of(
            SseEvent.class, // the data line of each streamed event (ChatRoutes)
            ChatReply.class, // the body of a POST /api/chat answer (ChatRoutes)
            Problem.class, // problem+json written by Problem.send on Vert.x routes
            ChatRequest.class, // the body of both chat POSTs, parsed by ChatRoutes
            OllamaWire.Chunk.class, // each NDJSON line of a streamed Ollama reply (OllamaChatModel)
            OllamaWire.ChatRequest.class); // the body of each chat call to Ollama (OllamaChatClient)

    @Test
    void registersExactlyTheClassesJacksonSees() {
        Set<String> registered = Arrays.stream(NativeImageHints.class.getAnnotation(RegisterForReflection.class)
                .targets()).map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> seen = classesJacksonSees();

        Set<String> missing = new TreeSet<>(seen);
        missing.removeAll(registered);
        Set<String> stale = new TreeSet<>(registered);
        stale.removeAll(seen);
        assertTrue(missing.isEmpty(), "add to NativeImageHints, Jackson (de)serialises them: " + missing);
        assertTrue(stale.isEmpty(), "remove from NativeImageHints, Jackson never sees them: " + stale);
    }

    @Test
    void theWalkFindsNestedRecordsAndSealedSubtypes() {
        // guards the walk itself: without these the check above could pass on a walk that sees nothing
        Set<String> seen = classesJacksonSees();
        for (Class<?> nested : List.of(ModelResource.HostView.class, ConversationView.RequestedTool.class,
                SseEvent.Done.class, OllamaWire.ToolFunction.class, ChatRequest.class)) {
            assertTrue(seen.contains(nested.getName()), nested.getName() + " not found by the walk: " + seen);
        }
        assertEquals(Set.of(), seen.stream().filter(n -> !n.startsWith(OURS)).collect(Collectors.toSet()));
    }

    private static Set<String> classesJacksonSees() {
        Deque<Type> pending = new ArrayDeque<>(DIRECT_BODIES);
        for (Class<?> endpoint : pathClasses()) {
            for (Method method : endpoint.getDeclaredMethods()) {
                if (method.isSynthetic() || Modifier.isPrivate(method.getModifiers())) {
                    continue;
                }
                pending.add(method.getGenericReturnType());
                pending.addAll(List.of(method.getGenericParameterTypes()));
            }
        }
        Set<String> seen = new TreeSet<>();
        while (!pending.isEmpty()) {
            Type type = pending.pop();
            if (type instanceof ParameterizedType parameterized) {
                pending.add(parameterized.getRawType());
                pending.addAll(List.of(parameterized.getActualTypeArguments()));
            } else if (type instanceof GenericArrayType array) {
                pending.add(array.getGenericComponentType());
            } else if (type instanceof WildcardType wildcard) {
                pending.addAll(List.of(wildcard.getUpperBounds()));
            } else if (type instanceof Class<?> cls) {
                if (cls.isArray()) {
                    pending.add(cls.getComponentType());
                } else if (cls.getName().startsWith(OURS) && (cls.isRecord() || cls.isSealed())
                        && seen.add(cls.getName())) {
                    if (cls.isRecord()) {
                        for (RecordComponent component : cls.getRecordComponents()) {
                            pending.add(component.getGenericType());
                        }
                    }
                    if (cls.isSealed()) {
                        pending.addAll(List.of(cls.getPermittedSubclasses()));
                    }
                }
            }
        }
        return seen;
    }

    /** Every compiled class of ours annotated {@code @Path}: the REST resources and the REST client interfaces. */
    private static List<Class<?>> pathClasses() {
        try (Stream<java.nio.file.Path> files = Files.walk(CLASSES.resolve("dev/ollamachat"))) {
            List<Class<?>> found = files.map(CLASSES::relativize).map(java.nio.file.Path::toString)
                    .filter(f -> f.endsWith(".class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.').replace('\\', '.'))
                    .map(NativeImageHintsTest::load)
                    .filter(c -> c.isAnnotationPresent(Path.class))
                    .collect(Collectors.toList());
            assertTrue(found.size() >= 4, "expected our resources and REST clients, found " + found);
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, NativeImageHintsTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
