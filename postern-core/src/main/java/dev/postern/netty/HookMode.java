package dev.postern.netty;

import dev.postern.SmtpHandler;

import java.lang.reflect.Method;
import java.util.Set;

/**
 * Decides whether a handler's hooks may run on the event loop. A thread hop costs CPU, so it is paid
 * only when some hook might block: when the handler overrides any hook and does not declare itself
 * non-blocking.
 */
final class HookMode {

    private static final Set<String> NOT_HOOKS = Set.of("isNonBlocking");

    private HookMode() {
    }

    /** True when every hook may run inline on the event loop. */
    static boolean inline(SmtpHandler handler) {
        if (handler.isNonBlocking()) {
            return true;
        }
        for (Method m : SmtpHandler.class.getMethods()) {
            if (!m.isDefault() || NOT_HOOKS.contains(m.getName())) {
                continue;
            }
            try {
                Method impl = handler.getClass().getMethod(m.getName(), m.getParameterTypes());
                if (impl.getDeclaringClass() != SmtpHandler.class) {
                    return false;
                }
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
        return true;
    }
}
