package dev.postern.relay.socks;

import dev.postern.relay.client.SocksProxy;
import dev.postern.relay.client.SocksProxy.Auth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocksProxyParserTest {

    @Test
    void defaultsAreExims() {
        assertThat(SocksProxy.parseList("192.0.2.1")).containsExactly(
                new SocksProxy("192.0.2.1", 1080, Auth.NONE, "", "", Duration.ofSeconds(5), 1, 1));
    }

    @Test
    void everyOption() {
        SocksProxy p = SocksProxy.parseList("192.0.2.1 auth=name name=relay pass=s3cr=t port=1081 tmo=7 pri=3 weight=9").get(0);
        assertThat(p).isEqualTo(new SocksProxy("192.0.2.1", 1081, Auth.NAME, "relay", "s3cr=t", Duration.ofSeconds(7), 3, 9));
        assertThat(p.logItem()).isEqualTo("PRX=[192.0.2.1]:1081");
        assertThat(p.toString()).doesNotContain("s3cr");
    }

    @Test
    void explicitAuthNoneAndLastOptionWins() {
        assertThat(SocksProxy.parseList("192.0.2.1 auth=none port=1 port=2").get(0))
                .extracting(SocksProxy::auth, SocksProxy::port).containsExactly(Auth.NONE, 2);
    }

    @Test
    void severalProxiesInListOrder() {
        List<SocksProxy> l = SocksProxy.parseList("192.0.2.1 pri=2 : 192.0.2.2 weight=0:192.0.2.3");
        assertThat(l).extracting(SocksProxy::address).containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3");
        assertThat(l).extracting(SocksProxy::priority).containsExactly(2, 1, 1);
        assertThat(l).extracting(SocksProxy::weight).containsExactly(1, 0, 1);
    }

    @Test
    void ipv6NeedsTheSemicolonSeparator() {
        List<SocksProxy> l = SocksProxy.parseList("<; ::1 port=1080 ; 2001:db8::7 pri=0; 127.0.0.1");
        assertThat(l).extracting(SocksProxy::address).containsExactly("::1", "2001:db8::7", "127.0.0.1");
        assertThat(l.get(0).logItem()).isEqualTo("PRX=[::1]:1080");
        assertThatThrownBy(() -> SocksProxy.parseList("::1 port=1080"))
                .hasMessageContaining("':1' is not an IP address").hasMessageContaining("'<;'");
    }

    @Test
    void doubledColonIsALiteralColonInAPassword() {
        assertThat(SocksProxy.parseList("192.0.2.1 auth=name name=u pass=a::b : 192.0.2.2").get(0).pass()).isEqualTo("a:b");
    }

    @Test
    void doubledSpaceIsALiteralSpaceInAPassword() {
        assertThat(SocksProxy.parseList("192.0.2.1 auth=name name=u pass=two  words").get(0).pass()).isEqualTo("two words");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''| the list is empty",
            "192.0.2.1 : : 192.0.2.2| entry 2 ('')",
            "proxy.example.org| not an IP address",
            "192.0.2.1 port| option 'port' is not name=value",
            "192.0.2.1 =1| option '=1' is not name=value",
            "192.0.2.1 colour=red| unknown option 'colour'",
            "192.0.2.1 auth=plain| auth must be 'none' or 'name'",
            "192.0.2.1 auth=name| auth=name needs a name=",
            "192.0.2.1 name=u pass=p| used only with auth=name",
            "192.0.2.1 port=0| port must be from 1 to 65535",
            "192.0.2.1 port=65536| port must be from 1 to 65535",
            "192.0.2.1 port=10x| port must be a whole number",
            "192.0.2.1 tmo=0| tmo must be from 1",
            "192.0.2.1 tmo=-1| tmo must be a whole number",
            "192.0.2.1 pri=-1| pri must be a whole number",
            "192.0.2.1 weight=99999999999| weight must be a whole number",
            "192.0.2.1 weight=0| every proxy has weight=0",
    })
    void errorsNameTheEntryAndTheProblem(String list, String message) {
        assertThatThrownBy(() -> SocksProxy.parseList(list)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void errorsNeverShowThePassword() {
        assertThatThrownBy(() -> SocksProxy.parseList("192.0.2.1 auth=name pass=hunter2 bogus"))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void atMost32ProxiesAsInExim() {
        String list33 = String.join(" : ", Collections.nCopies(33, "192.0.2.1"));
        assertThat(SocksProxy.parseList(list33.substring(list33.indexOf(':') + 1))).hasSize(32);
        assertThatThrownBy(() -> SocksProxy.parseList(list33)).hasMessageContaining("at most 32");
    }

    /**
     * An entry cannot choose its own option separator ("<=" at its start): with '=' as the separator,
     * "::1%x pass=hunter2secret" was cut into "::1%x pass" (an address with a zone id) and "hunter2secret", and
     * the error quoted the password as an option that is not name=value (found by SocksProxyParserFuzzTest).
     */
    @Test
    void anEntryCannotCutAPasswordFromItsOptionByChoosingASeparator() {
        assertThatThrownBy(() -> SocksProxy.parseList("<? <=::1%x pass=hunter2secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2secret").doesNotContain("hunter2"));
        assertThat(EximList.splitFixed("<= a=b c", ' ')).containsExactly("<=", "a=b", "c");
        assertThat(EximList.split("<= a=b c", ' ')).containsExactly("a", "b c");
    }
}
