package dev.postern.relay.client.internal;

import dev.postern.relay.DeliveryReport;
import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.RemoteReply;
import dev.postern.relay.client.RelayTarget.HostAndPort;
import dev.postern.relay.client.RelayTimeouts;
import dev.postern.relay.client.netty.ConnectFailure;
import dev.postern.relay.client.netty.Connection;
import dev.postern.relay.client.protocol.Capabilities;
import dev.postern.relay.client.protocol.Deadline;
import dev.postern.relay.client.protocol.Durations;
import dev.postern.relay.client.protocol.HostFailure;
import dev.postern.relay.client.protocol.MailTransaction;
import dev.postern.relay.client.protocol.Reply;
import dev.postern.relay.client.protocol.SessionOpener;
import dev.postern.relay.client.protocol.WireException;
import dev.postern.relay.dns.DnsLookup;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One delivery attempt: a pooled session of the route if there is one (after RSET), else the route's hosts
 * in order (MX hosts by preference, smarthosts as listed), each address of each host, until one session
 * opens; then one transaction. Whatever happens ends in a report; a host that cannot take mail moves the
 * attempt on to the next, and when none is left the recipients are deferred with the last failure.
 */
final class DeliveryAttempt {

    private final Context ctx;
    private final DeliveryRequest request;
    private final RelayTimeouts timeouts;
    private final Deadline deadline;
    private RemoteReply lastFailure = RemoteReply.none("no host to try");
    private String remote = "";
    private String proxy = "";

    DeliveryAttempt(Context ctx, DeliveryRequest request, Deadline deadline) {
        this.ctx = ctx;
        this.request = request;
        this.timeouts = ctx.config().timeouts();
        this.deadline = deadline;
    }

    DeliveryReport run(ConnectionPool.Lease lease) {
        Session reused = lease.takeReused();
        if (reused != null && reset(reused)) {
            return transact(lease, reused);
        }
        Routes.Plan plan = Routes.plan(ctx.config().target(), ctx.config().mxPort(), request.route(), ctx.resolver(),
                dnsBound());
        if (plan instanceof Routes.Plan.Stop stop) {
            return DeliveryReport.all(request, stop.status(), stop.reply(), "", "");
        }
        Routes.Plan.Try hosts = (Routes.Plan.Try) plan;
        for (HostAndPort host : hosts.hosts()) {
            DeliveryReport report = tryHost(lease, host, hosts.implicit());
            if (report != null) {
                return report;
            }
        }
        return deferAll();
    }

    /** @return the report when a session opened at one of the host's addresses, or null to go on with the next host */
    private DeliveryReport tryHost(ConnectionPool.Lease lease, HostAndPort host, boolean implicitMx) {
        switch (addresses(host.host())) {
            case DnsLookup.Addresses a -> {
                for (InetAddress address : a.addresses()) {
                    if (deadline.remaining().isZero()) {
                        return deferAll();
                    }
                    DeliveryReport report = tryAddress(lease, host, address);
                    if (report != null) {
                        return report;
                    }
                }
            }
            case DnsLookup.NoMail n when implicitMx -> {
                // RFC 5321 5.1: a domain without MX and without address records takes no mail.
                return DeliveryReport.all(request, Status.FAILED, RemoteReply.local(n.enhancedStatus(), n.text()), "", "");
            }
            case DnsLookup.NoMail n -> lastFailure = RemoteReply.none(n.text());
            case DnsLookup.Unavailable u -> lastFailure = RemoteReply.none(u.text());
            case DnsLookup.Hosts h -> throw new IllegalStateException("an address lookup returned host names");
        }
        return null;
    }

    /** @return the report when a session opened at this address, or null to go on with the next */
    private DeliveryReport tryAddress(ConnectionPool.Lease lease, HostAndPort host, InetAddress address) {
        Connection connection;
        try {
            connection = ctx.connector().connect(host.host(), new InetSocketAddress(address, host.port()),
                    timeouts.connect(), deadline);
        } catch (ConnectFailure e) {
            lastFailure = RemoteReply.none(e.getMessage());
            remote = host.host() + "[" + address.getHostAddress() + "]:" + host.port();
            proxy = e.proxy();
            return null;
        }
        lease.using(connection);
        remote = connection.remote();
        proxy = connection.proxy();
        try {
            Capabilities caps = SessionOpener.open(connection.smtp(), ctx.settings(), deadline);
            return transact(lease, new Session(connection, caps));
        } catch (HostFailure e) {
            lastFailure = e.reply();
            new Session(connection, Capabilities.NONE).quit();
        } catch (WireException e) {
            lastFailure = RemoteReply.none(e.getMessage());
            connection.close();
        }
        return null;
    }

    /**
     * RFC 5321 4.1.1.5: RSET before reusing a session; anything but 250 means a fresh connection. The wait
     * is the shorter of the command and connect timeouts: a server that vanished while the session was idle
     * should cost no more than a new connection would.
     */
    private boolean reset(Session session) {
        Duration bound = timeouts.command().compareTo(timeouts.connect()) < 0 ? timeouts.command() : timeouts.connect();
        try {
            session.connection().smtp().send(List.of("RSET"));
            Reply reply = session.connection().smtp().read(deadline.cap(bound), "the reply to RSET");
            if (reply.positive()) {
                return true;
            }
        } catch (WireException e) {
            // the server closed it while it was idle: open a new one
        }
        session.connection().close();
        return false;
    }

    private DeliveryReport transact(ConnectionPool.Lease lease, Session session) {
        remote = session.connection().remote();
        proxy = session.connection().proxy();
        MailTransaction.Result result = MailTransaction.run(session.connection().smtp(), session.caps(),
                ctx.settings().lmtp(), request, timeouts, deadline);
        if (result.reusable()) {
            lease.keep(session);
        }
        return new DeliveryReport(result.outcomes(), remote, proxy, result.nextHopDsn());
    }

    private DnsLookup addresses(String host) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return new DnsLookup.Addresses(List.of(NetUtil.createInetAddressFromIpAddressString(host)));
        }
        return ctx.resolver().addresses(host, dnsBound());
    }

    /** DNS lookups for a connection count against its connect timeout. */
    private Duration dnsBound() {
        Duration left = deadline.remaining();
        return timeouts.connect().compareTo(left) < 0 ? timeouts.connect() : left;
    }

    private DeliveryReport deferAll() {
        if (deadline.remaining().isZero()) {
            lastFailure = RemoteReply.none("transaction time limit of " + Durations.text(timeouts.transaction())
                    + " reached; last failure: " + lastFailure);
        }
        return DeliveryReport.all(request, Status.DEFERRED, lastFailure, remote, proxy);
    }
}
