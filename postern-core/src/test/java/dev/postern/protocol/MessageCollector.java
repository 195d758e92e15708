package dev.postern.protocol;

import dev.postern.ReceivedMessage;
import dev.postern.SmtpHandler;
import dev.postern.SmtpSession;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Collects accepted messages. */
class MessageCollector implements SmtpHandler {
    final List<String> messages = new ArrayList<>();
    final List<ReceivedMessage> envelopes = new ArrayList<>();

    @Override
    public void onMessage(SmtpSession session, ReceivedMessage message) throws Exception {
        messages.add(new String(message.readAllBytes(), StandardCharsets.UTF_8));
        envelopes.add(message);
    }
}
