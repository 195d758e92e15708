package dev.postern.junit;

import dev.postern.SmtpHandler;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ReceivedMailTest {

    @Test
    void encodedWordsAreDecodedInBothEncodingsAndAdjacentOnesJoin() {
        assertThat(ReceivedMail.decodeEncodedWords("=?UTF-8?B?R3LDvMOfZQ==?=")).isEqualTo("Grüße");
        assertThat(ReceivedMail.decodeEncodedWords("=?ISO-8859-1?Q?K=F6ln_am_Rhein?=")).isEqualTo("Köln am Rhein");
        assertThat(ReceivedMail.decodeEncodedWords("=?UTF-8?Q?a?= =?UTF-8?Q?b?= and =?utf-8?b?Yw==?=")).isEqualTo("ab and c");
        assertThat(ReceivedMail.decodeEncodedWords("plain text")).isEqualTo("plain text");
    }

    @Test
    void aWordThatCannotBeDecodedStaysAsItWas() {
        assertThat(ReceivedMail.decodeEncodedWords("=?x-no-such-charset?Q?abc?=")).isEqualTo("=?x-no-such-charset?Q?abc?=");
        assertThat(ReceivedMail.decodeEncodedWords("=?UTF-8?B?!!!?=")).isEqualTo("=?UTF-8?B?!!!?=");
        assertThat(ReceivedMail.decodeEncodedWords("=?UTF-8?Q?ab=4?=")).isEqualTo("=?UTF-8?Q?ab=4?=");
    }

    @Test
    void foldedValuesAreUnfolded() {
        assertThat(ReceivedMail.unfold("a long\r\n subject\n\tend ")).isEqualTo("a long subject\tend");
    }

    @Test
    void theRecordingHandlerPassesOnEveryHookOfSmtpHandler() {
        // a hook added to SmtpHandler later must reach the test's handler too: this fails until it is passed on
        assertThat(Arrays.stream(SmtpHandler.class.getMethods()).filter(Method::isDefault))
                .allSatisfy(m -> assertThat(RecordingHandler.class.getDeclaredMethod(m.getName(), m.getParameterTypes()))
                        .as(m.getName()).isNotNull());
    }
}
