package io.consort.samples.tour;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TourTest {
    @Test
    void theReadmeTourDoesWhatItSays() {
        assertThat(Tour.run()).containsExactly("100 ACME", "5 INIT", "7 ACME");
    }
}
