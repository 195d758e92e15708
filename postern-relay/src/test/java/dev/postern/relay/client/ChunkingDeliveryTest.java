package dev.postern.relay.client;

import dev.postern.CommandDecision;
import dev.postern.SmtpHandler;
import dev.postern.SmtpServerConfig;
import dev.postern.SmtpSession;
import dev.postern.junit.PosternExtension;
import dev.postern.junit.ReceivedMail;
import dev.postern.relay.DeliveryReport;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.RecipientOutcome.Status;
import dev.postern.relay.testing.Requests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.postern.relay.client.SmtpSinkDeliveryTest.client;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.deliver;
import static dev.postern.relay.client.SmtpSinkDeliveryTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CHUNKING (RFC 3030) against Postern's own server, which decodes BDAT: a message of several chunks
 * arrives intact, with chunks pipelined when PIPELINING is offered and one at a time when it is not.
 */
class ChunkingDeliveryTest {

    /** The commands the destination received, in order: what the client sent as BDAT or DATA. */
    private static final List<String> COMMANDS = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final PosternExtension PIPELINING = destination(true);

    @RegisterExtension
    static final PosternExtension NO_PIPELINING = destination(false);

    /** A destination named mx.test that offers CHUNKING, and PIPELINING or not. */
    private static PosternExtension destination(boolean pipelining) {
        return PosternExtension.builder()
                .configure(c -> c.hostname("mx.test")
                        .extensions(new SmtpServerConfig.Extensions(true, true, true, pipelining, true, true)))
                .handler(new SmtpHandler() {
                    @Override
                    public CommandDecision onCommand(SmtpSession session, String commandLine) {
                        COMMANDS.add(commandLine);
                        return CommandDecision.PASS;
                    }
                })
                .build();
    }

    @BeforeEach
    void clearCommands() {
        COMMANDS.clear();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void severalChunksArriveIntact(boolean pipelining) throws Exception {
        PosternExtension server = pipelining ? PIPELINING : NO_PIPELINING;
        StringBuilder body = new StringBuilder("Subject: chunks\r\n\r\n");
        for (int i = 0; body.length() < 300_000; i++) {
            body.append(i % 7 == 0 ? "." : "").append("line ").append(i).append(" of a message in several chunks\r\n");
        }
        try (RelayClient client = client("smtp://127.0.0.1:" + server.port())) {
            DeliveryReport report = deliver(client, Requests.of(client, body.toString(), false,
                    List.of(OutboundRecipient.of("a@example.net"), OutboundRecipient.of("b@example.net"))));
            assertThat(statuses(report)).containsExactly(Status.DELIVERED, Status.DELIVERED);
            List<ReceivedMail> received = server.receivedMessages();
            assertThat(received).hasSize(1);
            assertThat(new String(received.get(0).content(), StandardCharsets.UTF_8)).isEqualTo(body.toString());
            assertThat(COMMANDS).noneMatch(c -> c.equals("DATA"));
            assertThat(COMMANDS.stream().filter(c -> c.startsWith("BDAT "))).hasSizeGreaterThan(3)
                    .last().asString().endsWith(" LAST");
        }
    }
}
