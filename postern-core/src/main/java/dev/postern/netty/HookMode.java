package dev.postern.netty;

import dev.postern.SmtpHandler;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides whether a handler's hooks may run on the event loop. A thread hop costs CPU, so it is paid
 * only when some hook might block: when the handler overrides it and does not declare itself
 * non-blocking.
 */
final class HookMode {

    private static final Set<String> NOT_HOOKS = Set.of("isNonBlocking");
    /** The hooks a session's start (PROXY header, per-client limit, greeting) may call. */
    static final Set<String> GREETING_HOOKS = Set.of("onProxy", "onConnect", "onLogEvent", "onSessionEvent");
    /** The log hooks: overriding them decides the threading, but they are not timed. */
    private static final Set<String> LOG_HOOKS = Set.of("onLogEvent", "onSessionEvent");

    private HookMode() {
    }

    /** The names of the hooks {@code handler} overrides, the log hooks aside: those worth timing. */
    static Set<String> overridden(SmtpHandler handler) {
        Set<String> hooks = new HashSet<>();
        for (Method m : SmtpHandler.class.getMethods()) {
            if (!m.isDefault() || NOT_HOOKS.contains(m.getName()) || LOG_HOOKS.contains(m.getName())) {
                continue;
            }
            try {
                if (handler.getClass().getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() != SmtpHandler.class) {
                    hooks.add(m.getName());
                }
            } catch (NoSuchMethodException e) {
                hooks.add(m.getName());
            }
        }
        return Set.copyOf(hooks);
    }

    /** True when every hook may run inline on the event loop. */
    static boolean inline(SmtpHandler handler) {
        return inline(handler, null);
    }

    /** True when the named hooks (every hook, if null) may run inline on the event loop. */
    static boolean inline(SmtpHandler handler, Set<String> hooks) {
        if (handler.isNonBlocking()) {
            return true;
        }
        for (Method m : SmtpHandler.class.getMethods()) {
            if (!m.isDefault() || NOT_HOOKS.contains(m.getName()) || hooks != null && !hooks.contains(m.getName())) {
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
