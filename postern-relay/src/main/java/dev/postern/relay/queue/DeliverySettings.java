package dev.postern.relay.queue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link QueueManager} delivers, immutable and validated; {@link #builder()} documents the defaults.
 *
 * @param maxConcurrent      the most delivery attempts in flight at once
 * @param maxPerRoute        the most attempts in flight to one route (a destination domain, a smarthost)
 * @param retry              the retry schedule and maximum queue time
 * @param delayWarning       how long a recipient that asked for NOTIFY=DELAY is deferred before its sender
 *                           gets one "delayed" DSN
 * @param reportingMta       the host name DSNs are sent from ({@code Reporting-MTA}, {@code MAILER-DAEMON@})
 * @param maxReturnedContent the largest message a failure DSN returns in full (RET=FULL); a larger one is
 *                           returned as its header
 * @param closeTimeout       how long {@link QueueManager#close()} waits for attempts in flight
 */
public record DeliverySettings(int maxConcurrent, int maxPerRoute, RetrySchedule retry, Duration delayWarning,
                               String reportingMta, long maxReturnedContent, Duration closeTimeout) {

    /** Validates. */
    public DeliverySettings {
        if (maxConcurrent <= 0 || maxPerRoute <= 0) {
            throw new IllegalArgumentException("concurrency limits must be positive: " + maxConcurrent + ", " + maxPerRoute);
        }
        Objects.requireNonNull(retry, "retry");
        if (delayWarning.isNegative()) {
            throw new IllegalArgumentException("delayWarning must not be negative: " + delayWarning);
        }
        Objects.requireNonNull(reportingMta, "reportingMta");
        if (reportingMta.isBlank() || reportingMta.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("reportingMta must be a host name: '" + reportingMta + "'");
        }
        if (maxReturnedContent < 0) {
            throw new IllegalArgumentException("maxReturnedContent must not be negative");
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
        }
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link DeliverySettings}. */
    public static final class Builder {
        private int maxConcurrent = 50;
        private int maxPerRoute = 10;
        private RetrySchedule retry = RetrySchedule.DEFAULT;
        private Duration delayWarning = Duration.ofHours(4);
        private String reportingMta;
        private long maxReturnedContent = 256 * 1024;
        private Duration closeTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** @param n the most attempts in flight; default 50 @return this */
        public Builder maxConcurrent(int n) {
            this.maxConcurrent = n;
            return this;
        }

        /** @param n the most attempts in flight per route; default 10 @return this */
        public Builder maxPerRoute(int n) {
            this.maxPerRoute = n;
            return this;
        }

        /** @param schedule the retry schedule; default {@link RetrySchedule#DEFAULT} @return this */
        public Builder retry(RetrySchedule schedule) {
            this.retry = schedule;
            return this;
        }

        /** @param after deferral before a "delayed" DSN (NOTIFY=DELAY only); default 4 hours @return this */
        public Builder delayWarning(Duration after) {
            this.delayWarning = after;
            return this;
        }

        /** @param host the name DSNs come from; default the local host's name @return this */
        public Builder reportingMta(String host) {
            this.reportingMta = host;
            return this;
        }

        /** @param octets the largest message returned in full by a DSN; default 256 KiB @return this */
        public Builder maxReturnedContent(long octets) {
            this.maxReturnedContent = octets;
            return this;
        }

        /** @param timeout how long close waits for attempts in flight; default 30 seconds @return this */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** @return the settings @throws IllegalArgumentException when one is out of range */
        public DeliverySettings build() {
            return new DeliverySettings(maxConcurrent, maxPerRoute, retry, delayWarning,
                    reportingMta == null ? localHostName() : reportingMta, maxReturnedContent, closeTimeout);
        }

        private static String localHostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }
}
