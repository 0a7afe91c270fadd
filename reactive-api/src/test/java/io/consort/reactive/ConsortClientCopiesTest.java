package io.consort.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** ConsortClient is an immutable value: every builder call returns a new client and leaves the original as it was. */
class ConsortClientCopiesTest {
    @Test
    void everyBuilderCallReturnsACopyAndLeavesTheOriginalUnchanged() throws Exception {
        ConsortClient original = ConsortClient.create();
        TreeMap<String, Object> before = state(original);
        List<String> called = new ArrayList<>();
        for (Method m : ConsortClient.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getReturnType() != ConsortClient.class) {
                continue;
            }
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = sample(m.getParameterTypes()[i]);
            }
            ConsortClient copy = (ConsortClient) m.invoke(original, args);
            called.add(m.getName());
            assertThat(copy).as(m.getName()).isNotSameAs(original);
            assertThat(state(original)).as("the original after %s", m.getName()).isEqualTo(before);
            if (!m.getName().equals("tcpClient")) {
                assertThat(state(copy)).as("what %s set", m.getName()).isNotEqualTo(before);
            }
        }
        assertThat(called).contains("host", "port", "name", "connectTimeout", "tls", "credentials", "inJvm",
                "tcpClient");
    }

    /** Every public no-argument accessor's value. */
    private static TreeMap<String, Object> state(ConsortClient c) throws Exception {
        TreeMap<String, Object> values = new TreeMap<>();
        for (Method m : ConsortClient.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0 && m.getDeclaringClass() == ConsortClient.class
                    && !m.getName().equals("connect")) {
                values.put(m.getName(), String.valueOf(m.invoke(c)));
            }
        }
        return values;
    }

    private static Object sample(Class<?> type) {
        if (type == String.class) {
            return "other";
        } else if (type == int.class) {
            return 5803;
        } else if (type == Duration.class) {
            return Duration.ofSeconds(3);
        } else if (type == ClientTls.class) {
            return ClientTls.trusting(Path.of("ca.crt"));
        } else if (type == Credentials.class) {
            return Credentials.password("alice", "secret");
        } else if (type == UnaryOperator.class) {
            return UnaryOperator.identity();
        }
        throw new AssertionError("no sample for " + type + ": add one for the new builder method");
    }
}
