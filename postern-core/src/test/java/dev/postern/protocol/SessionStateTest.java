package dev.postern.protocol;

import dev.postern.SmtpSession;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SessionStateTest {

    /** A hook that casts its SmtpSession to SessionState finds nothing public to rewrite it with. */
    @Test
    void onlyTheSmtpSessionViewAndWhatTheTransportReadsArePublic() {
        List<String> beyondTheView = Arrays.stream(SessionState.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !inView(m))
                .map(Method::getName)
                .toList();
        assertThat(beyondTheView).containsExactly("isQuiet");
    }

    private static boolean inView(Method m) {
        try {
            SmtpSession.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
