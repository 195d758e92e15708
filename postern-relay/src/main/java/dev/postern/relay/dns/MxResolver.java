package dev.postern.relay.dns;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * MX and address lookups with Netty's {@link DnsNameResolver}: the system's name servers, or one given
 * server (a local resolver, or a test's). Names are absolute: no search domains are appended.
 */
public final class MxResolver implements AutoCloseable {

    private final DnsNameResolver resolver;
    private final RandomGenerator random;

    /**
     * @param loop       the event loop the resolver's channel runs on
     * @param datagram   its datagram channel class
     * @param stream     the TCP channel class, for answers too large for UDP
     * @param nameServer the one server to ask, or null for the system's ({@code /etc/resolv.conf})
     * @param random     the shuffle of equal MX preferences
     */
    public MxResolver(EventLoop loop, Class<? extends DatagramChannel> datagram, Class<? extends SocketChannel> stream,
                      InetSocketAddress nameServer, RandomGenerator random) {
        this.random = random;
        this.resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelType(datagram)
                .socketChannelType(stream)
                .nameServerProvider(nameServer == null ? DnsServerAddressStreamProviders.platformDefault()
                        : new SingletonDnsServerAddressStreamProvider(nameServer))
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .searchDomains(List.of())
                .build();
    }

    /**
     * RFC 5321 5.1: the domain's MX hosts in order; without MX records, the domain itself (its address
     * records are looked up next); a null MX (RFC 7505) or a domain that does not exist takes no mail.
     *
     * @param domain  the recipient domain
     * @param timeout the longest wait
     * @return {@link DnsLookup.Hosts}, {@link DnsLookup.NoMail} or {@link DnsLookup.Unavailable}
     */
    public DnsLookup mxHosts(String domain, Duration timeout) {
        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope;
        try {
            envelope = await(resolver.query(new DefaultDnsQuestion(domain, DnsRecordType.MX)), timeout);
        } catch (IllegalArgumentException e) {
            return new DnsLookup.NoMail("5.1.2", "'" + domain + "' is not a valid domain name: " + e.getMessage());
        } catch (LookupFailed e) {
            return new DnsLookup.Unavailable("MX lookup for " + domain + " failed: " + e.getMessage());
        }
        try {
            DnsResponse response = envelope.content();
            DnsResponseCode code = response.code();
            if (code.equals(DnsResponseCode.NXDOMAIN)) {
                return new DnsLookup.NoMail("5.1.2", "domain " + domain + " does not exist (DNS NXDOMAIN)");
            }
            if (!code.equals(DnsResponseCode.NOERROR)) {
                return new DnsLookup.Unavailable("MX lookup for " + domain + " failed: " + code);
            }
            List<MxRecord> records = new ArrayList<>();
            for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
                if (r.type().equals(DnsRecordType.MX) && r instanceof DnsRawRecord raw && raw.content().readableBytes() >= 3) {
                    records.add(mx(raw));
                }
            }
            if (MxOrder.isNullMx(records)) {
                return new DnsLookup.NoMail("5.1.10", "domain " + domain + " accepts no mail (null MX, RFC 7505)");
            }
            List<String> hosts = MxOrder.order(records, random);
            return hosts.isEmpty() ? new DnsLookup.Hosts(List.of(domain), true) : new DnsLookup.Hosts(hosts, false);
        } catch (RuntimeException e) {
            return new DnsLookup.Unavailable("MX lookup for " + domain + " gave an unreadable answer: " + e.getMessage());
        } finally {
            envelope.release();
        }
    }

    /** RFC 1035 3.3.9: PREFERENCE (16 bits) then EXCHANGE, a name that may point back into the message. */
    private static MxRecord mx(DnsRawRecord raw) {
        // The content is a view of the whole response, so compression pointers resolve.
        var content = raw.content().duplicate();
        int preference = content.readUnsignedShort();
        String name = DefaultDnsRecordDecoder.decodeName(content);
        return new MxRecord(preference, name.length() > 1 && name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
    }

    /**
     * The addresses of a host: A and AAAA records (or the hosts file, or an address literal), IPv4 first.
     *
     * @param host    the host name
     * @param timeout the longest wait
     * @return {@link DnsLookup.Addresses}, {@link DnsLookup.NoMail} when the name does not exist, or
     *         {@link DnsLookup.Unavailable}
     */
    public DnsLookup addresses(String host, Duration timeout) {
        try {
            List<InetAddress> all = await(resolver.resolveAll(host), timeout);
            if (all.isEmpty()) {
                return new DnsLookup.NoMail("5.1.2", "host " + host + " has no address record");
            }
            return new DnsLookup.Addresses(all);
        } catch (LookupFailed e) {
            if (e.code != null && e.code.equals(DnsResponseCode.NXDOMAIN)) {
                return new DnsLookup.NoMail("5.1.2", "host " + host + " does not exist (DNS NXDOMAIN)");
            }
            return new DnsLookup.Unavailable("address lookup for " + host + " failed: " + e.getMessage());
        }
    }

    private static <T> T await(Future<T> future, Duration timeout) throws LookupFailed {
        CompletableFuture<T> done = new CompletableFuture<>();
        future.addListener(f -> {
            if (f.isSuccess()) {
                done.complete(future.getNow());
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        try {
            return done.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new LookupFailed("no answer within " + timeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LookupFailed("interrupted", null);
        } catch (ExecutionException e) {
            DnsResponseCode code = null;
            String message = e.getCause().getMessage();
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof DnsErrorCauseException d) {
                    code = d.getCode();
                }
                if (t instanceof DnsNameResolverTimeoutException) {
                    message = "timed out";
                }
            }
            throw new LookupFailed(code != null ? code.toString() : message, code);
        }
    }

    @Override
    public void close() {
        resolver.close();
    }

    /** A failed query, with the DNS response code when there was one. */
    private static final class LookupFailed extends Exception {
        private final transient DnsResponseCode code;

        LookupFailed(String message, DnsResponseCode code) {
            super(message);
            this.code = code;
        }
    }
}
