package dev.postern.relay.client.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CapabilitiesTest {

    private static Capabilities ehlo(String... lines) {
        return Capabilities.of(Reply.of(250, List.of(lines)));
    }

    @Test
    void keywordsAreCaseInsensitiveAndTheFirstLineIsTheDomain() {
        Capabilities c = ehlo("mx.example.org greets you", "pipelining", "8BITMIME", "SmtpUtf8", "CHUNKING", "DSN", "STARTTLS");
        assertThat(c.pipelining()).isTrue();
        assertThat(c.eightBitMime()).isTrue();
        assertThat(c.smtpUtf8()).isTrue();
        assertThat(c.chunking()).isTrue();
        assertThat(c.dsn()).isTrue();
        assertThat(c.startTls()).isTrue();
        assertThat(c.has("MX.EXAMPLE.ORG")).isFalse();
        assertThat(c.size()).isFalse();
    }

    @Test
    void sizeWithAndWithoutALimit() {
        assertThat(ehlo("x", "SIZE 10240000").maxSize()).hasValue(10_240_000);
        assertThat(ehlo("x", "SIZE").maxSize()).isEmpty();
        assertThat(ehlo("x", "SIZE 0").maxSize()).isEmpty();
        assertThat(ehlo("x", "SIZE lots").maxSize()).isEmpty();
        assertThat(ehlo("x", "SIZE").size()).isTrue();
    }

    @Test
    void authMechanismsInBothForms() {
        assertThat(ehlo("x", "AUTH PLAIN login CRAM-MD5").authMechanisms()).containsExactly("CRAM-MD5", "LOGIN", "PLAIN");
        assertThat(ehlo("x", "AUTH=LOGIN PLAIN").authMechanisms()).containsExactly("LOGIN", "PLAIN");
        assertThat(ehlo("x", "AUTH LOGIN", "AUTH=PLAIN").authMechanisms()).containsExactly("LOGIN", "PLAIN");
        assertThat(ehlo("x").authMechanisms()).isEmpty();
    }

    @Test
    void heloHasNothing() {
        assertThat(Capabilities.NONE.pipelining()).isFalse();
        assertThat(Capabilities.NONE.maxSize()).isEmpty();
    }
}
