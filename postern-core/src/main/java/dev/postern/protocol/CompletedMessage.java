package dev.postern.protocol;

import dev.postern.Envelope;
import dev.postern.HeaderField;
import dev.postern.ReceivedMessage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/** A sink's message with the moment its last octet arrived, which only the protocol knows. */
record CompletedMessage(ReceivedMessage message, Instant completedAt) implements ReceivedMessage {

    @Override
    public String id() {
        return message.id();
    }

    @Override
    public Envelope envelope() {
        return message.envelope();
    }

    @Override
    public Instant receivedAt() {
        return message.receivedAt();
    }

    @Override
    public long size() {
        return message.size();
    }

    @Override
    public List<HeaderField> headers() {
        return message.headers();
    }

    @Override
    public InputStream openStream() throws IOException {
        return message.openStream();
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        return message.readAllBytes();
    }
}
