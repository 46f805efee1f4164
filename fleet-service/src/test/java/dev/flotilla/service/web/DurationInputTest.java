package dev.flotilla.service.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What people type into the dashboard's duration fields, as the API's ISO-8601. Pure: no Quarkus. */
class DurationInputTest {

    @Test
    void shouldReadWhatPeopleTypeAsIso8601() {
        assertThat(DurationInput.iso("4h")).isEqualTo("PT4H");
        assertThat(DurationInput.iso("90 min")).isEqualTo("PT1H30M");
        assertThat(DurationInput.iso("1h30m")).isEqualTo("PT1H30M");
        assertThat(DurationInput.iso("1 h 30 min")).isEqualTo("PT1H30M");
        assertThat(DurationInput.iso("2 hours and 15 minutes")).isEqualTo("PT2H15M");
        assertThat(DurationInput.iso("1 day")).isEqualTo("PT24H");
        assertThat(DurationInput.iso(" 45 S ")).isEqualTo("PT45S");
    }

    @Test
    void shouldLeaveIso8601AndWhatIsNoDurationForTheServiceToJudge() {
        assertThat(DurationInput.iso("PT2H")).isEqualTo("PT2H");
        assertThat(DurationInput.iso("p1d")).isEqualTo("p1d");
        assertThat(DurationInput.iso("4 fortnights")).isEqualTo("4 fortnights");
        assertThat(DurationInput.iso("90")).isEqualTo("90");
        assertThat(DurationInput.iso("4 hx")).isEqualTo("4 hx");
        assertThat(DurationInput.iso("  ")).isNull();
        assertThat(DurationInput.iso(null)).isNull();
    }
}
