package dev.postern.relay.queue;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliverySettingsTest {

    @Test
    void defaults() {
        DeliverySettings s = DeliverySettings.builder().build();
        assertThat(s.maxConcurrent()).isEqualTo(50);
        assertThat(s.maxPerRoute()).isEqualTo(10);
        assertThat(s.retry()).isEqualTo(RetrySchedule.DEFAULT);
        assertThat(s.delayWarning()).isEqualTo(Duration.ofHours(4));
        assertThat(s.reportingMta()).isNotBlank().doesNotContain(" ");
        assertThat(s.maxReturnedContent()).isEqualTo(256 * 1024);
        assertThat(s.closeTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesWhatMakesNoSense() {
        assertThatThrownBy(() -> DeliverySettings.builder().maxConcurrent(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliverySettings.builder().maxPerRoute(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliverySettings.builder().reportingMta("mx host").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliverySettings.builder().maxReturnedContent(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliverySettings.builder().delayWarning(Duration.ofSeconds(-1)).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliverySettings.builder().closeTimeout(Duration.ofSeconds(-1)).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MailQueue.Limits(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
