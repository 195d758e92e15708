package dev.postern.server;

import dev.postern.BodyType;
import dev.postern.Envelope;
import dev.postern.HeaderField;
import dev.postern.MailParameters;
import dev.postern.ReceivedMessage;
import dev.postern.ReversePath;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** A ReceivedMessage over fixed bytes, or over a stream that fails where a test wants it to. */
final class FakeMessage implements ReceivedMessage {

    private static final Envelope NO_ENVELOPE =
            new Envelope(ReversePath.NULL, MailParameters.NONE, List.of(), BodyType.UNSPECIFIED, false, -1);

    private final byte[] content;
    private final Supplier<InputStream> stream;
    private final Envelope envelope;

    private FakeMessage(byte[] content, Supplier<InputStream> stream, Envelope envelope) {
        this.content = content;
        this.stream = stream;
        this.envelope = envelope;
    }

    static FakeMessage of(byte[] content) {
        return of(content, NO_ENVELOPE);
    }

    static FakeMessage of(byte[] content, Envelope envelope) {
        return new FakeMessage(content, () -> new ByteArrayInputStream(content), envelope);
    }

    /** Gives the first {@code failAfter} octets of {@code content}, then throws an IOException. */
    static FakeMessage failingAfter(byte[] content, int failAfter) {
        return failingAfter(content, failAfter, () -> new UncheckedIOException(new IOException("spool read failed")));
    }

    /** Gives the first {@code failAfter} octets of {@code content}, then throws what {@code failure} makes. */
    static FakeMessage failingAfter(byte[] content, int failAfter, Supplier<RuntimeException> failure) {
        return new FakeMessage(content, () -> new FilterInputStream(new ByteArrayInputStream(content, 0, failAfter)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    RuntimeException e = failure.get();
                    if (e instanceof UncheckedIOException io) {
                        throw io.getCause();
                    }
                    throw e;
                }
                return n;
            }

            @Override
            public int read() {
                throw new UnsupportedOperationException("bulk reads only");
            }
        }, NO_ENVELOPE);
    }

    @Override public String id() { return "S1-1"; }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override public Instant receivedAt() { return Instant.EPOCH; }
    @Override public long size() { return content.length; }
    @Override public List<HeaderField> headers() { return List.of(); }
    @Override public InputStream openStream() { return stream.get(); }
}
