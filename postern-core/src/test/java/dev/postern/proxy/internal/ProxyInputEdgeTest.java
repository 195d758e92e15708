package dev.postern.proxy.internal;

import dev.postern.Listener;
import dev.postern.SmtpServerConfig;
import dev.postern.Xtext;
import dev.postern.proxy.ProxyProtocolMode;
import dev.postern.proxy.TrustedSources;
import dev.postern.testing.V2Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a proxy (trusted or not) can put in front of the session, at its edges: xtext in XCLIENT and
 * XFORWARD values (whose decoded text ends up in Received fields and log lines), ports and addresses,
 * IP literals, the v2 signature check for untrusted clients, and the warnings for settings that trust
 * everyone.
 */
class ProxyInputEdgeTest {

    @Test
    void xtextDecodesHexCharsAndRefusesWhatIsNotXtext() {
        assertThat(Xtext.decode("a+41b")).isEqualTo("aAb");
        assertThat(Xtext.decode("+2B+3D")).isEqualTo("+=");
        assertThat(Xtext.decode("+30+39+3a+3A+4f+4F")).isEqualTo("09::OO");
        assertThat(Xtext.decode("!~")).isEqualTo("!~");
        assertThat(Xtext.decode("")).isEmpty();
        for (String bad : new String[] {"+", "+4", "a+4", "+4G", "+G4", "+4g", "+/0", "+:0", "+@0", "+`0", "+0/", "+0:",
                "+0@", "+0`", "a b", "a\u007fb", "a\u0080b", "a=b", "a\tb"}) {
            assertThatThrownBy(() -> Xtext.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Decoded values must be printable ASCII without spaces: they go into Received fields and log lines. */
    @Test
    void xclientValuesAreOneWordOfPrintableAscii() {
        assertThat(XclientCommand.parse("NAME=a+7Eb").name()).hasValue("a~b");
        assertThat(XclientCommand.parse("NAME=!").name()).hasValue("!");
        for (String bad : new String[] {"NAME=a+20b", "NAME=a+7Fb", "NAME=a+0D+0Ab", "NAME=+00", "NAME=a+1Fb", "HELO=+C3+A4"}) {
            assertThatThrownBy(() -> XclientCommand.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("control, space or non-ASCII");
        }
        assertThat(XclientCommand.parse("NAME=" + "n".repeat(255)).name()).hasValue("n".repeat(255));
        assertThatThrownBy(() -> XclientCommand.parse("NAME=" + "n".repeat(256))).hasMessageContaining("1..255");
    }

    @Test
    void portsAreZeroTo65535() {
        assertThat(XclientCommand.parse("PORT=65535").port()).hasValue(65535);
        assertThat(XclientCommand.parse("PORT=0").port()).hasValue(0);
        for (String bad : new String[] {"PORT=65536", "PORT=123456", "PORT=-1", "PORT=+1", "PORT=1a"}) {
            assertThatThrownBy(() -> XclientCommand.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Bad PORT syntax");
        }
    }

    /** Refusals quote what the client sent only when it is short, printable ASCII. */
    @Test
    void refusalsQuoteOnlyShortPrintableText() {
        assertThatThrownBy(() -> XclientCommand.parse("BOGUS=1")).hasMessage("Unknown XCLIENT attribute: BOGUS");
        assertThatThrownBy(() -> XclientCommand.parse("B\u0001GUS=1")).hasMessage("Unknown XCLIENT attribute: (unprintable)");
        assertThatThrownBy(() -> XclientCommand.parse("~=1")).hasMessage("Unknown XCLIENT attribute: ~");
        assertThatThrownBy(() -> XclientCommand.parse("B\u007fGUS=1")).hasMessage("Unknown XCLIENT attribute: (unprintable)");
        String name64 = "N".repeat(64);
        assertThatThrownBy(() -> XclientCommand.parse(name64 + "=1")).hasMessage("Unknown XCLIENT attribute: " + name64);
        assertThatThrownBy(() -> XclientCommand.parse(name64 + "X=1")).hasMessage("Unknown XCLIENT attribute: " + name64 + "...");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0::9", "a::f", "A::F", "::", "::1", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "2001:DB8::1"})
    void ipv6LiteralsInEveryCase(String literal) throws Exception {
        byte[] bytes = IpLiterals.ipv6(literal);
        assertThat(bytes).hasSize(16);
        assertThat(IpLiterals.unmapIpv4(bytes)).isEqualTo(InetAddress.getByName(literal).getAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3.4", "g::1", "G::1", "::1%eth0", "[::1]", ":: 1", "::/", "1::2::3", "::@", "::`"})
    void notIpv6Literals(String literal) {
        assertThat(IpLiterals.ipv6(literal)).isNull();
    }

    @Test
    void onlyTheIpv4MappedRangeIsUnmapped() {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[15] = 7;
        assertThat(IpLiterals.unmapIpv4(mapped)).containsExactly(192, 0, 0, 7);
        for (int i = 0; i < 12; i++) {
            byte[] other = mapped.clone();
            other[i] ^= 0x01;
            assertThat(IpLiterals.unmapIpv4(other)).as("byte %d changed", i).isSameAs(other);
        }
        byte[] four = {1, 2, 3, 4};
        assertThat(IpLiterals.unmapIpv4(four)).isSameAs(four);
    }

    /** The check the protocol runs on the first bytes of a client that was not trusted to send a header. */
    @Test
    void theV2SignatureIsAllTwelveBytesAtTheReaderIndex() {
        byte[] sig = V2Header.SIGNATURE;
        assertThat(ProxyPolicy.startsWithV2Signature(Unpooled.wrappedBuffer(sig))).isTrue();
        assertThat(ProxyPolicy.startsWithV2Signature(Unpooled.wrappedBuffer(Arrays.copyOf(sig, 11)))).isFalse();
        for (int i = 0; i < 12; i++) {
            byte[] off = sig.clone();
            off[i] ^= 0x40;
            assertThat(ProxyPolicy.startsWithV2Signature(Unpooled.wrappedBuffer(off))).as("byte %d", i).isFalse();
        }
        ByteBuf behind = Unpooled.buffer().writeBytes(new byte[] {'x', 'y'}).writeBytes(sig);
        assertThat(ProxyPolicy.startsWithV2Signature(behind)).isFalse();
        behind.readerIndex(2);
        assertThat(ProxyPolicy.startsWithV2Signature(behind)).isTrue();
        assertThat(ProxyPolicy.untrustedV2HeaderMessage("/192.0.2.7:4000"))
                .isEqualTo("PROXY v2 header from untrusted /192.0.2.7:4000 refused (spoofing attempt?)");
    }

    @Test
    void settingsThatTrustEveryoneAreWarnedAbout() {
        SmtpServerConfig quiet = SmtpServerConfig.builder().hostname("mx.test")
                .listen(Listener.of("127.0.0.1", 0).withProxyProtocol(ProxyProtocolMode.REQUIRED, TrustedSources.parse("10.0.0.0/8")))
                .build();
        assertThat(ProxyPolicy.warnings(quiet)).isEmpty();
        SmtpServerConfig everyone = SmtpServerConfig.builder().hostname("mx.test")
                .listen(Listener.of("127.0.0.1", 0).withProxyProtocol(ProxyProtocolMode.OPTIONAL, TrustedSources.parse("*")))
                .xclientHosts(TrustedSources.parse("*")).xforwardHosts(TrustedSources.parse("*")).build();
        assertThat(ProxyPolicy.warnings(everyone)).hasSize(3)
                .anyMatch(w -> w.contains("trusts PROXY headers from ANY source"))
                .anyMatch(w -> w.startsWith("xclientHosts is '*'"))
                .anyMatch(w -> w.startsWith("xforwardHosts is '*'"));
        SmtpServerConfig off = SmtpServerConfig.builder().hostname("mx.test")
                .listen(Listener.of("127.0.0.1", 0).withProxyProtocol(ProxyProtocolMode.OFF, TrustedSources.parse("*"))).build();
        assertThat(ProxyPolicy.warnings(off)).isEmpty();
    }
}
