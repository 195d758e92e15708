package dev.postern.netty;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.proxy.ProxyInfo;
import dev.postern.proxy.internal.NettyProxyMessages;
import dev.postern.proxy.internal.ProxyHeaderValidator;
import dev.postern.proxy.internal.V1PortZero;
import dev.postern.testing.FuzzChecks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.postern.testing.FuzzChecks.check;
import static dev.postern.testing.FuzzChecks.show;

/**
 * Fuzzes the PROXY header path a trusted proxy's bytes take: {@link ProxyHeaderReader} (framing and bounds),
 * {@link ProxyHeaderValidator} (the checks Netty lacks) and Netty's {@link HAProxyMessageDecoder}, v1 and v2.
 *
 * <p>Invariants: the same bytes cut at every point give the same verdict (each prefix is either "need
 * more" or the verdict of the whole, and a header is only ever taken whole, never from a prefix that
 * later turns out otherwise); a header that is taken consumes exactly its own length, at most 107 bytes
 * for v1 and {@link ProxyHeaderReader#MAX_HEADER_BYTES} in all, and leaves what follows unread; a header
 * accepted by the reader is one Netty's streaming decoder also accepts, fed in pieces, with the same
 * addresses (a v1 port of 0, which Netty refuses and the spec allows, aside: see {@code sameAsNetty}); and no
 * input makes the reader wait for more than its bound.
 */
class ProxyHeaderReaderFuzzTest {

    private static final ChannelHandlerContext CTX = new EmbeddedChannel(new ChannelInboundHandlerAdapter()).pipeline().firstContext();

    @FuzzTest(maxDuration = "5m")
    void header(byte[] input) {
        ProxyHeaderReader.Outcome whole = read(input, input.length);
        int consumed = consumed(input, whole);
        switch (whole) {
            case ProxyHeaderReader.Outcome.Header h -> {
                check(consumed > 0 && consumed <= ProxyHeaderReader.MAX_HEADER_BYTES, "header of " + consumed + " bytes");
                check(h.info().version() != 1 || consumed <= ProxyHeaderValidator.MAX_V1_LENGTH, "v1 header over 107 bytes");
                check(h.info().version() == (input[0] == 'P' ? 1 : 2), "version does not match the first byte");
                sameAsNetty(input, consumed, h.info());
            }
            case ProxyHeaderReader.Outcome.NeedMore n ->
                    check(input.length <= ProxyHeaderReader.MAX_HEADER_BYTES, "waits for more after " + input.length + " bytes");
            default -> { }
        }
        // every cut point for the first bytes, a sample after that
        int step = 1;
        for (int cut = 0; cut < input.length; cut += step) {
            ProxyHeaderReader.Outcome prefix = read(input, cut);
            if (!(prefix instanceof ProxyHeaderReader.Outcome.NeedMore)) {
                check(same(prefix, whole), "prefix of " + cut + " bytes gives " + prefix + ", all " + input.length + " give " + whole
                        + " for " + show(input));
                check(consumed(input, cut, prefix) == consumed, "prefix consumed differently");
            }
            if (cut >= 120) {
                step = 29; // v1 is at most 107 bytes; beyond, v2 TLVs, where a sample of the cuts is enough
            }
        }
    }

    private static ProxyHeaderReader.Outcome read(byte[] input, int length) {
        ByteBuf in = Unpooled.wrappedBuffer(input, 0, length);
        return ProxyHeaderReader.read(in, CTX);
    }

    private static int consumed(byte[] input, ProxyHeaderReader.Outcome outcome) {
        return consumed(input, input.length, outcome);
    }

    private static int consumed(byte[] input, int length, ProxyHeaderReader.Outcome outcome) {
        ByteBuf in = Unpooled.wrappedBuffer(input, 0, length);
        ProxyHeaderReader.Outcome again = ProxyHeaderReader.read(in, CTX);
        check(same(again, outcome), "reading twice gave " + again + " then " + outcome);
        check(again instanceof ProxyHeaderReader.Outcome.Header || in.readerIndex() == 0, "bytes consumed without a header");
        return in.readerIndex();
    }

    /** A v1 TCP line ("PROXY TCP4 src dst sport dport\\r\\n") with each port field "0" written as "1". */
    private static byte[] portZeroAsOne(byte[] line) {
        String text = new String(line, 0, line.length - 2, StandardCharsets.ISO_8859_1);
        String[] f = text.split(" ", -1);
        for (int i = 4; i <= 5; i++) {
            if (f[i].equals("0")) {
                f[i] = "1";
            }
        }
        byte[] out = (String.join(" ", f) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        check(out.length == line.length, "port rewrite changed the length");
        return out;
    }

    private static InetSocketAddress portZeroAsOne(InetSocketAddress address) {
        return address.getPort() == 0 ? new InetSocketAddress(address.getAddress(), 1) : address;
    }

    private static boolean same(ProxyHeaderReader.Outcome a, ProxyHeaderReader.Outcome b) {
        return switch (a) {
            case ProxyHeaderReader.Outcome.Header ha -> b instanceof ProxyHeaderReader.Outcome.Header hb && sameInfo(ha.info(), hb.info());
            default -> a.getClass() == b.getClass();
        };
    }

    private static boolean sameInfo(ProxyInfo a, ProxyInfo b) {
        return a.version() == b.version() && a.command() == b.command() && a.transport() == b.transport()
                && java.util.Objects.equals(a.source(), b.source()) && java.util.Objects.equals(a.destination(), b.destination())
                && a.tlvs().size() == b.tlvs().size();
    }

    /**
     * Netty's decoder, as a streaming handler fed the header in pieces, agrees with what the reader took.
     *
     * <p>Except for a v1 TCP line with a port of 0: the spec allows it, Netty refuses it (its v1 port check
     * starts at 1), so the reader takes it without Netty ({@link V1PortZero}). Netty still checks the rest of
     * such a line: the same line with each 0 port written as 1 (same length) must give the same header but
     * for those ports.
     */
    private static void sameAsNetty(byte[] input, int length, ProxyInfo ours) {
        byte[] header = Arrays.copyOf(input, length);
        if (V1PortZero.applies(Unpooled.wrappedBuffer(header))) {
            check(ours.source().getPort() == 0 || ours.destination().getPort() == 0, "no port 0 in " + ours);
            header = portZeroAsOne(header);
            ours = new ProxyInfo(ours.version(), ours.command(), ours.transport(), portZeroAsOne(ours.source()),
                    portZeroAsOne(ours.destination()), ours.tlvs());
        }
        EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            int from = 0;
            int[] cuts = FuzzChecks.cuts(header, 4);
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : header.length;
                if (to > from) {
                    channel.writeInbound(Unpooled.wrappedBuffer(header, from, to - from));
                }
                from = to;
            }
            HAProxyMessage message = channel.readInbound();
            check(message != null, "Netty's decoder found no header in what the reader accepted: " + show(header));
            try {
                ProxyInfo theirs = NettyProxyMessages.toProxyInfo(message);
                check(sameInfo(ours, theirs), "Netty read " + theirs + ", the reader " + ours);
            } finally {
                message.release();
            }
        } catch (RuntimeException e) {
            throw new AssertionError("Netty's decoder refused what the reader accepted: " + show(header), e);
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (RuntimeException ignored) {
                // only a failure already reported above can surface here
            }
        }
    }
}
