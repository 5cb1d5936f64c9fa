package dev.ollamachat.tools;

import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * The calculator served over MCP at /mcp: add, subtract, multiply and divide. Arguments are numbers, or numbers
 * written as strings (which some models send); anything else is a tool error the model can read, never a crash.
 */
@Startup
@ApplicationScoped
public class CalculatorTools {

    private final ToolManager tools;

    CalculatorTools(ToolManager tools) {
        this.tools = tools;
    }

    @PostConstruct
    void register() {
        register("add", "Adds two numbers", "sum", BigDecimal::add);
        register("subtract", "Subtracts the second number from the first", "difference", BigDecimal::subtract);
        register("multiply", "Multiplies two numbers", "product", BigDecimal::multiply);
        register("divide", "Divides the first number by the second", "quotient", CalculatorTools::divide);
    }

    private void register(String name, String description, String resultName, BinaryOperator<BigDecimal> op) {
        tools.newTool(name)
                .setDescription(description)
                .setInputSchema(INPUT_SCHEMA)
                .setHandler(args -> apply(name, resultName, op, args.args()))
                .register();
    }

    static ToolResponse apply(String name, String resultName, BinaryOperator<BigDecimal> op,
            Map<String, Object> args) {
        try {
            BigDecimal a = number(args, "a");
            BigDecimal b = number(args, "b");
            BigDecimal result = op.apply(a, b);
            return ToolResponse.success("The " + resultName + " of " + format(a) + " and " + format(b) + " is "
                    + format(result) + ".");
        } catch (ArithmeticException | IllegalArgumentException e) {
            return ToolResponse.error(name + " failed: " + e.getMessage());
        }
    }

    static BigDecimal divide(BigDecimal a, BigDecimal b) {
        if (b.signum() == 0) {
            throw new ArithmeticException("cannot divide by zero");
        }
        return a.divide(b, MathContext.DECIMAL64);
    }

    static BigDecimal number(Map<String, Object> args, String key) {
        Object value = args == null ? null : args.get(key);
        if (value == null) {
            throw new IllegalArgumentException("argument '" + key + "' is missing");
        }
        if (value instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("argument '" + key + "' must be a number, got \"" + s + "\"");
            }
        }
        throw new IllegalArgumentException("argument '" + key + "' must be a number, got " + value);
    }

    static String format(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    private static final Map<String, Object> INPUT_SCHEMA = Map.of(
            "type", "object",
            "properties", Map.of(
                    "a", Map.of("type", "number", "description", "First number"),
                    "b", Map.of("type", "number", "description", "Second number")),
            "required", List.of("a", "b"));
}
