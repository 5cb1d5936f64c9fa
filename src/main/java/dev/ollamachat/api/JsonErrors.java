package dev.ollamachat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.ollamachat.ProblemException;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A request body Jackson could not read, as a 400 that says where and what was expected, in the words of JSON:
 * never a Java type name ({@code java.lang.String}, {@code LinkedHashMap}) or a class of ours.
 */
final class JsonErrors {

    private JsonErrors() {
    }

    static ProblemException problem(JsonProcessingException e) {
        return new ProblemException(400, "invalid-json", "Invalid JSON", describe(e));
    }

    static String describe(JsonProcessingException e) {
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            return "'" + path(mismatch) + "' must be " + expected(mismatch.getTargetType());
        }
        if (e instanceof MismatchedInputException) {
            return "The request body must be a JSON object";
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        // Jackson's parser messages name characters and positions, not types; cut at the first line all the same
        int end = original.indexOf('\n');
        return "The request body is not valid JSON: " + (end < 0 ? original : original.substring(0, end));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another JSON type";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "a JSON object";
    }
}
