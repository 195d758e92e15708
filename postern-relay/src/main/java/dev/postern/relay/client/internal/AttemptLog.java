package dev.postern.relay.client.internal;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.RecipientOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One log line per attempt and group of recipients with the same outcome and reply:
 * {@code Q1 route=example.net to=<a@example.net>,<b@example.net> remote=mx[192.0.2.1]:25 PRX=[127.0.0.1]:1080
 * status=delivered reply="250 2.0.0 Ok"}.
 */
final class AttemptLog {

    private static final Logger LOG = LoggerFactory.getLogger("dev.postern.relay.delivery");
    /** Reply text in a log line is cut here: a remote's text is not ours to fill the log with. */
    static final int MAX_REPLY = 400;

    private AttemptLog() {
    }

    /** Logs the report; never throws, since the delivery's future must complete normally. */
    static void log(DeliveryRequest request, DeliveryReport report) {
        try {
            for (String line : lines(request, report)) {
                LOG.info(line);
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot log the report of {}", request.queueId(), e);
        }
    }

    static List<String> lines(DeliveryRequest request, DeliveryReport report) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (RecipientOutcome o : report.outcomes()) {
            String reply = o.reply().toString();
            if (reply.length() > MAX_REPLY) {
                reply = reply.substring(0, MAX_REPLY) + "...";
            }
            String tail = "status=" + o.status().name().toLowerCase(Locale.ROOT) + " reply=\"" + reply.replace("\"", "'") + "\"";
            groups.computeIfAbsent(tail, k -> new ArrayList<>()).add("<" + o.address() + ">");
        }
        List<String> lines = new ArrayList<>();
        groups.forEach((tail, to) -> lines.add(request.queueId() + " route=" + request.route() + " to=" + String.join(",", to)
                + (report.remote().isEmpty() ? "" : " remote=" + report.remote())
                + (report.proxy().isEmpty() ? "" : " " + report.proxy())
                + " " + tail));
        return lines;
    }
}
