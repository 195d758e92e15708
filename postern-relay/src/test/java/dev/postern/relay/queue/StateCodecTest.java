package dev.postern.relay.queue;

import dev.postern.BodyType;
import dev.postern.relay.RemoteReply;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateCodecTest {

    private static final Instant T = Instant.parse("2026-03-02T10:00:00.123456Z");

    static QueuedMessage sample() {
        RecipientState pending = new RecipientState("bob@example.net", null, null, RecipientState.Status.PENDING, 0, T,
                null, null, "", "", false, false);
        RecipientState deferred = new RecipientState("\"odd user\"@example.com", "SUCCESS,DELAY", "rfc822;odd+20user@example.com",
                RecipientState.Status.DEFERRED, 3, T.plusSeconds(300), T.plusSeconds(1),
                new RemoteReply(451, "4.7.1", "try later = 100% sure\r\nsecond\tline"), "mx.example.com[192.0.2.1]:25",
                "PRX=[198.51.100.7]:1080", true, true);
        RecipientState failed = new RecipientState("zoë@exämple.de", "NEVER", null, RecipientState.Status.FAILED, 1, T,
                T, RemoteReply.none("connection refused"), "", "", false, false);
        return new QueuedMessage("1a2b3c-2kx-1", T, 1234, "alice@example.org", DsnReturn.FULL, "QQ+2B314159",
                BodyType.EIGHT_BIT_MIME, true, List.of(pending, deferred, failed));
    }

    @Test
    void roundTripsEveryField() {
        QueuedMessage m = sample();
        assertThat(StateCodec.decode(StateCodec.encode(m))).isEqualTo(m);
    }

    @Test
    void roundTripsTheNullSenderAndAbsentOptions() {
        QueuedMessage m = new QueuedMessage("1-2-3", T, 0, "", null, null, BodyType.UNSPECIFIED, false, sample().recipients());
        assertThat(StateCodec.decode(StateCodec.encode(m))).isEqualTo(m);
    }

    @Test
    void aRemoteReplyCannotBreakALineOrAField() {
        String text = new String(StateCodec.encode(sample()), StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(13);
        assertThat(text).contains("replytext=try%20later%20%3D%20100%25%20sure%0D%0Asecond%09line");
        assertThat(text).contains("address=zoë@exämple.de");
        assertThat(text).startsWith("postern-queue 1\nid 1a2b3c-2kx-1\n").endsWith("\nend\n");
    }

    @Test
    void refusesWhatIsNotAWholeStateFile() {
        byte[] whole = StateCodec.encode(sample());
        String text = new String(whole, StandardCharsets.UTF_8);
        for (String bad : List.of("", "postern-queue 2\n" + text.substring(16), text.substring(0, text.length() - 4),
                text.substring(0, text.length() / 2), text.replace("size 1234", "size x"), text.replace("size 1234\n", ""),
                text.replace("end\n", "colour blue\nend\n"), text.replace(" held=true", " held=maybe"),
                text.replace(" held=true", " held=true colour=blue"), text.replace("%0D", "%0"))) {
            assertThatThrownBy(() -> StateCodec.decode(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(RuntimeException.class);
        }
    }
}
