package dev.postern;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The default server name is the machine's name, not the reverse lookup of a loopback address. */
class DefaultHostnameTest {

    @Test
    void theHostNameWinsOverALoopbackCanonicalName() {
        // /etc/hosts: "127.0.0.1 localhost" then "127.0.0.1 vm": the canonical name of vm is localhost
        assertThat(DefaultHostname.choose("vm", "localhost")).isEqualTo("vm");
        assertThat(DefaultHostname.choose("vm", "localhost.localdomain")).isEqualTo("vm");
        assertThat(DefaultHostname.choose("vm", "127.0.0.1")).isEqualTo("vm");
        assertThat(DefaultHostname.choose("mx1", "mx1.example.org")).isEqualTo("mx1.example.org");
        assertThat(DefaultHostname.choose("mx1", "other.example.org")).isEqualTo("mx1");
        assertThat(DefaultHostname.choose("mx1.example.org", "mx1.example.org")).isEqualTo("mx1.example.org");
        assertThat(DefaultHostname.choose("localhost", "box.example.org")).isEqualTo("box.example.org");
        assertThat(DefaultHostname.choose(null, null)).isEqualTo("localhost");
        assertThat(DefaultHostname.choose("localhost", "localhost")).isEqualTo("localhost");
        assertThat(DefaultHostname.choose("bad name", "::1")).isEqualTo("localhost");
    }

    /** On this machine: its own name (a test machine named localhost would tell nothing, so it says so). */
    @Test
    void theDefaultIsThisMachinesName() throws Exception {
        String machine = InetAddress.getLocalHost().getHostName();
        assertThat(machine).as("this test needs a machine with a name of its own").isNotEqualToIgnoringCase("localhost");
        String hostname = SmtpServerConfig.builder().build().hostname();
        assertThat(hostname).isNotEqualTo("localhost");
        assertThat(hostname.equals(machine) || hostname.startsWith(machine + ".")).as(hostname).isTrue();
    }
}
