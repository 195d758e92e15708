package dev.postern.message;

import io.netty.buffer.ByteBuf;

/** Where decoded message content goes: the bytes as they will be stored. */
public interface ContentSink {

    /** Content bytes {@code [index, index + length)} of {@code buf}; the sink copies what it keeps. */
    void write(ByteBuf buf, int index, int length);

    /** A few content bytes (line ends made by normalization). */
    void write(byte[] bytes);
}
