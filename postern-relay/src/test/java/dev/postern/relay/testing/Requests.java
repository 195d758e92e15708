package dev.postern.relay.testing;

import dev.postern.relay.DeliveryRequest;
import dev.postern.relay.OutboundRecipient;
import dev.postern.relay.OutboundTransport;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Delivery requests for tests. */
public final class Requests {

    public static final String BODY = "From: sender@example.org\r\nSubject: relay test\r\n\r\nHello.\r\n.leading dot\r\n";

    private Requests() {
    }

    /** A message with {@link #BODY} to the recipients, routed by the transport. */
    public static DeliveryRequest to(OutboundTransport transport, String... recipients) {
        return of(transport, BODY, false, Arrays.stream(recipients).map(OutboundRecipient::of).toList());
    }

    public static DeliveryRequest of(OutboundTransport transport, String body, boolean eightBit, List<OutboundRecipient> recipients) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new DeliveryRequest("Q" + Long.toHexString(System.nanoTime()).toUpperCase(), "sender@example.org", recipients,
                transport.route(recipients.get(0).address()), bytes.length, eightBit, false, () -> new ByteArrayInputStream(bytes));
    }
}
