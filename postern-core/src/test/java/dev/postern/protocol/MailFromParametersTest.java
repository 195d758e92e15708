package dev.postern.protocol;

import dev.postern.BodyType;
import dev.postern.MailParameters;
import dev.postern.SmtpServerConfig;
import dev.postern.auth.AuthConfig;
import dev.postern.auth.AuthMechanism;
import dev.postern.protocol.MailFromParameters.Accepted;
import dev.postern.protocol.MailFromParameters.Refused;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The MAIL FROM parameter rules alone, without a session. */
class MailFromParametersTest {

    private static final SmtpServerConfig CONFIG = SmtpServerConfig.builder().hostname("mx.test").maxMessageSize(1000).build();

    /** The parameters of {@code MAIL FROM:<a@b.c> text}, as the path parser gives them. */
    private static MailParameters params(String text) {
        try {
            return PathParser.parseReversePath("<a@b.c> " + text).parameters();
        } catch (PathSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static MailFromParameters.Result check(String text) {
        return MailFromParameters.check(params(text), true, CONFIG);
    }

    @Test
    void noParametersIsTheCommonCaseAndAllocatesNothing() {
        assertThat(MailFromParameters.check(MailParameters.NONE, false, CONFIG)).isSameAs(MailFromParameters.NONE);
    }

    @Test
    void knownParametersShapeTheTransaction() {
        assertThat(check("SIZE=1000 BODY=8bitmime SMTPUTF8")).isEqualTo(new Accepted(BodyType.EIGHT_BIT_MIME, true, 1000));
        assertThat(check("BODY=7BIT")).isEqualTo(new Accepted(BodyType.SEVEN_BIT, false, -1));
    }

    @Test
    void parametersNeedEhlo() {
        assertThat(MailFromParameters.check(params("SIZE=10"), false, CONFIG)).isEqualTo(new Refused(Replies.PARAMS_NEED_EHLO));
    }

    @Test
    void badValuesAreRefused() {
        assertThat(check("SIZE=-1")).isEqualTo(new Refused(Replies.BAD_SIZE));
        assertThat(check("SIZE=" + "9".repeat(21))).isEqualTo(new Refused(Replies.BAD_SIZE));
        assertThat(check("BODY=BINARYMIME")).isEqualTo(new Refused(Replies.BAD_BODY));
        assertThat(check("SMTPUTF8=yes")).isEqualTo(new Refused(Replies.SMTPUTF8_VALUE));
    }

    @Test
    void aDeclaredSizeOverTheLimitIsRefusedAtOnce() {
        assertThat(check("SIZE=1001")).isEqualTo(new Refused(Replies.MESSAGE_TOO_BIG));
        assertThat(check("SIZE=" + "9".repeat(20))).isEqualTo(new Refused(Replies.MESSAGE_TOO_BIG));
    }

    @Test
    void unknownParametersAndThoseOfExtensionsNotOfferedAreUnsupported() {
        assertThat(check("FOO=1")).isEqualTo(new Refused(Replies.unsupportedParameter("FOO")));
        assertThat(check("AUTH=<>")).isEqualTo(new Refused(Replies.unsupportedParameter("AUTH")));
        SmtpServerConfig withAuth = CONFIG.toBuilder().auth(AuthConfig.of(AuthMechanism.PLAIN)).build();
        assertThat(MailFromParameters.check(params("AUTH=<>"), true, withAuth)).isEqualTo(MailFromParameters.NONE);
        SmtpServerConfig noExtensions = CONFIG.toBuilder()
                .extensions(new SmtpServerConfig.Extensions(false, false, false, true, true, false)).build();
        for (String p : new String[] {"SIZE=10", "BODY=8BITMIME", "SMTPUTF8"}) {
            assertThat(MailFromParameters.check(params(p), true, noExtensions)).isInstanceOf(Refused.class);
        }
    }

    @Test
    void theFirstRefusedParameterDecides() {
        assertThat(check("FOO=1 SIZE=x")).isEqualTo(new Refused(Replies.unsupportedParameter("FOO")));
        assertThat(check("SIZE=x FOO=1")).isEqualTo(new Refused(Replies.BAD_SIZE));
    }
}
