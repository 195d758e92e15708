package dev.postern.server;

import dev.postern.CommandDecision;
import dev.postern.ForwardPath;
import dev.postern.MailParameters;
import dev.postern.Mailbox;
import dev.postern.SmtpHandler;
import dev.postern.SmtpRejection;
import dev.postern.SmtpSession;
import dev.postern.auth.AuthMechanism;
import dev.postern.auth.Credentials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plugins' handlers and the delivery as one handler. */
class HandlerChainTest {

    private final SmtpSession session = new FakeSession();
    private final List<String> calls = new ArrayList<>();

    private static ForwardPath rcpt(String local) {
        return ForwardPath.of(new Mailbox(local, "example.org"));
    }

    @Test
    void onLmtpEachHandlerDecidesPerRecipientOrForAllAndAllRefusedStopsTheChain() throws Exception {
        SmtpHandler quota = new SmtpHandler() {
            @Override
            public void onLmtpMessage(SmtpSession s, dev.postern.ReceivedMessage m, dev.postern.RecipientReplies replies) {
                calls.add("quota");
                for (int i = 0; i < replies.recipients().size(); i++) {
                    if (replies.recipients().get(i).path().address().startsWith("full@")) {
                        replies.reject(i, dev.postern.SmtpReply.of(452, "4.2.2", "Mailbox full"));
                    }
                }
            }
        };
        SmtpHandler delivery = new SmtpHandler() {
            @Override
            public void onMessage(SmtpSession s, dev.postern.ReceivedMessage m) {
                calls.add("delivery");
            }
        };
        HandlerChain chain = new HandlerChain(List.of(quota, delivery));
        dev.postern.RecipientReplies some = replies("bob", "full");
        chain.onLmtpMessage(session, FakeMessage.of(new byte[0]), some);
        assertThat(calls).containsExactly("quota", "delivery");
        assertThat(some.rejection(0)).isNull();
        assertThat(some.rejection(1).code()).isEqualTo(452);

        calls.clear();
        chain.onLmtpMessage(session, FakeMessage.of(new byte[0]), replies("full"));
        assertThat(calls).as("no recipient is left for the delivery").containsExactly("quota");
    }

    private static dev.postern.RecipientReplies replies(String... locals) {
        List<dev.postern.Recipient> recipients = new ArrayList<>();
        for (String local : locals) {
            recipients.add(new dev.postern.Recipient(rcpt(local), MailParameters.NONE));
        }
        return new dev.postern.RecipientReplies(recipients);
    }

    @Test
    void aReturnedValueGoesToTheNextHandlerAndNullKeepsIt() {
        SmtpHandler rewriter = new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                calls.add("rewriter " + to);
                return rcpt("rewritten");
            }
        };
        SmtpHandler keeper = new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                calls.add("keeper " + to);
                return null;
            }
        };
        HandlerChain chain = new HandlerChain(List.of(rewriter, keeper));
        assertThat(chain.onRcptTo(session, rcpt("bob"), MailParameters.NONE)).isEqualTo(rcpt("rewritten"));
        assertThat(calls).containsExactly("rewriter <bob@example.org>", "keeper <rewritten@example.org>");
    }

    @Test
    void aRejectionStopsTheChainBeforeTheDelivery() {
        SmtpHandler plugin = new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                throw SmtpRejection.of(550, "5.7.1", "no");
            }
        };
        SmtpHandler delivery = new SmtpHandler() {
            @Override
            public ForwardPath onRcptTo(SmtpSession s, ForwardPath to, MailParameters p) {
                calls.add("delivery");
                return to;
            }
        };
        HandlerChain chain = new HandlerChain(List.of(plugin, delivery));
        assertThatThrownBy(() -> chain.onRcptTo(session, rcpt("bob"), MailParameters.NONE)).isInstanceOf(SmtpRejection.class);
        assertThat(calls).isEmpty();
    }

    @Test
    void onlyHandlersThatOverrideAHookDecideIt() {
        SmtpHandler auth = new SmtpHandler() {
            @Override
            public String onAuth(SmtpSession s, Credentials c) {
                return "alice";
            }
        };
        SmtpHandler other = new SmtpHandler() {
            @Override
            public CommandDecision onCommand(SmtpSession s, String line) {
                return line.startsWith("XYZ") ? CommandDecision.reply(250, "2.0.0", "custom") : CommandDecision.rewrite(line.strip());
            }
        };
        // A handler that does not override onAuth would refuse it (535) if it were asked: it is not.
        HandlerChain chain = new HandlerChain(List.of(other, auth, new SmtpHandler() { }));
        assertThat(chain.onAuth(session, new Credentials.Password(AuthMechanism.PLAIN, "", "alice", "pw"))).isEqualTo("alice");
        assertThat(chain.onCommand(session, "NOOP ")).isEqualTo(CommandDecision.rewrite("NOOP"));
        assertThat(chain.onCommand(session, "XYZ")).isInstanceOf(CommandDecision.Reply.class);
        assertThat(new HandlerChain(List.of(new SmtpHandler() { })).isNonBlocking()).isTrue();
        assertThat(chain.isNonBlocking()).isFalse();
        assertThatThrownBy(() -> new HandlerChain(List.of(other)).onAuth(session, new Credentials.Password(AuthMechanism.PLAIN, "", "a", "b")))
                .isInstanceOf(SmtpRejection.class).hasMessageContaining("535");
    }

    /** A hook added to SmtpHandler but not chained would reach no plugin and no delivery: its default would answer. */
    @Test
    void everyHookIsChained() throws NoSuchMethodException {
        for (java.lang.reflect.Method hook : SmtpHandler.class.getMethods()) {
            if (hook.isDefault()) {
                assertThat(HandlerChain.class.getMethod(hook.getName(), hook.getParameterTypes()).getDeclaringClass())
                        .as(hook.getName()).isIn(HandlerChain.class, hook.getName().startsWith("onLog") || hook.getName()
                                .equals("onSessionEvent") ? SmtpHandler.class : HandlerChain.class);
            }
        }
    }

    @Test
    void everyHandlerHearsTheDisconnectEvenIfOneThrows() {
        SmtpHandler failing = new SmtpHandler() {
            @Override
            public void onDisconnect(SmtpSession s) {
                calls.add("failing");
                throw new IllegalStateException("broken");
            }
        };
        SmtpHandler second = new SmtpHandler() {
            @Override
            public void onDisconnect(SmtpSession s) {
                calls.add("second");
            }
        };
        assertThatThrownBy(() -> new HandlerChain(List.of(failing, second)).onDisconnect(session)).hasMessage("broken");
        assertThat(calls).containsExactly("failing", "second");
    }
}
