package dev.postern.server;

import dev.postern.ServerMetrics.Counter;
import dev.postern.SmtpServer;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The standalone server's metrics in the Prometheus text exposition format, version 0.0.4: each metric
 * is a {@code # HELP} line, a {@code # TYPE} line and its one sample, every line ending in LF. Every
 * {@link Counter} of the library is a counter {@code postern_<name>_total}.
 */
final class PrometheusText {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder text = new StringBuilder();

    private PrometheusText() {
    }

    /**
     * The metrics of {@code server}, which started listening at {@code started}, of the relay queue when
     * there is one, and of this JVM.
     */
    static String render(SmtpServer server, Instant started, Relay.Gauges queue) {
        PrometheusText page = new PrometheusText();
        for (Map.Entry<Counter, Long> counter : server.metrics().snapshot().entrySet()) {
            page.metric("postern_" + counter.getKey().name().toLowerCase(Locale.ROOT) + "_total", "counter",
                    help(counter.getKey()), Long.toString(counter.getValue()));
        }
        page.metric("postern_connections_active", "gauge", "SMTP connections open now.",
                Integer.toString(server.activeConnections()));
        if (queue != null) {
            page.metric("postern_queue_messages", "gauge", "Messages in the relay queue.", Integer.toString(queue.messages()));
            page.metric("postern_queue_bytes", "gauge", "Octets of the messages in the relay queue.", Long.toString(queue.octets()));
            page.metric("postern_queue_deferred_messages", "gauge",
                    "Queued messages with a recipient deferred (to be tried again).", Integer.toString(queue.deferred()));
        }
        page.metric("postern_up", "gauge", "1 while the server runs.", "1");
        page.metric("postern_start_time_seconds", "gauge", "When the SMTP listeners started, in seconds since the Unix epoch.",
                decimal(started.toEpochMilli(), 3));
        // The CPU time is in the com.sun.management extension, which a JVM need not have; -1 where it cannot tell.
        long cpuNanos = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        if (cpuNanos >= 0) {
            page.metric("process_cpu_seconds_total", "counter", "User and system CPU time of this process, in seconds.",
                    decimal(cpuNanos, 9));
        }
        page.metric("jvm_memory_heap_used_bytes", "gauge", "Java heap in use, in bytes.",
                Long.toString(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
        return page.text.toString();
    }

    /** HELP texts hold no backslash or line feed, the two characters the format would need escaped. */
    private void metric(String name, String type, String help, String value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }

    /** {@code unscaled} / 10^{@code scale} in plain notation without trailing zeros: 1718000000.5, not 1.7180000005E9. */
    private static String decimal(long unscaled, int scale) {
        return BigDecimal.valueOf(unscaled, scale).stripTrailingZeros().toPlainString();
    }

    /** Without a default: a counter added to the library does not compile here until it is explained. */
    private static String help(Counter counter) {
        return switch (counter) {
            case CONNECTIONS_ACCEPTED -> "SMTP connections admitted.";
            case CONNECTIONS_REFUSED -> "SMTP connections refused with 421 by --max-connections or --max-connections-per-client.";
            case PROXY_HEADERS_ACCEPTED -> "Valid PROXY headers from trusted proxies.";
            case PROXY_HEADERS_REJECTED -> "Trusted-proxy connections closed for a missing, late or invalid PROXY header.";
            case TLS_HANDSHAKES -> "TLS handshakes completed, implicit TLS and STARTTLS.";
            case TLS_HANDSHAKE_FAILURES -> "TLS handshakes that failed or timed out.";
            case AUTH_SUCCESSES -> "AUTH exchanges that ended in 235.";
            case AUTH_FAILURES -> "AUTH exchanges refused.";
            case MESSAGES_ACCEPTED -> "Messages accepted: 250 after DATA or the last BDAT.";
            case MESSAGE_BYTES_ACCEPTED -> "Octets of accepted messages.";
            case MESSAGES_REJECTED -> "Messages refused at their end: by a hook, for their size, or for a storage failure.";
            case REPLIES_4XX -> "Replies with a 4xx code.";
            case REPLIES_5XX -> "Replies with a 5xx code.";
            case HOOK_FAILURES -> "Hook calls that failed with an unexpected error.";
            case TIMEOUTS -> "Sessions closed by a command or data timeout, or by the session deadline.";
        };
    }
}
