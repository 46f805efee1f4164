package dev.flotilla.service.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The overview's chart as pure code: no database, no server; runs in milliseconds. */
class SvgChartTest {
    private static final Instant FROM = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration STEP = Duration.ofMinutes(5);

    private static SvgChart.Chart chart(String title, List<Instant> times, List<SvgChart.Series> series) {
        return new SvgChart.Chart(
                "c", title, FROM, FROM.plus(Duration.ofHours(1)), STEP, times, series, SvgChart.HOURS);
    }

    @Test
    void shouldRoundTheTopOfTheScaleToOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(SvgChart.niceMax(0)).isEqualTo(1);
        assertThat(SvgChart.niceMax(1)).isEqualTo(1);
        assertThat(SvgChart.niceMax(3)).isEqualTo(5);
        assertThat(SvgChart.niceMax(7)).isEqualTo(10);
        assertThat(SvgChart.niceMax(11)).isEqualTo(20);
        assertThat(SvgChart.niceMax(10_000)).isEqualTo(10_000);
        assertThat(SvgChart.niceMax(10_001)).isEqualTo(20_000);
    }

    @Test
    void shouldPlaceTimesAcrossTheWidthAndValuesUpTheHeight() {
        var c = chart("t", List.of(FROM), List.of(new SvgChart.Series("online", List.of(1))));
        assertThat(SvgChart.x(c, FROM)).isEqualTo(SvgChart.LEFT);
        assertThat(SvgChart.x(c, FROM.plus(Duration.ofHours(1)))).isEqualTo(SvgChart.WIDTH - SvgChart.RIGHT);
        assertThat(SvgChart.x(c, FROM.plus(Duration.ofMinutes(30))))
                .isEqualTo(SvgChart.LEFT + (SvgChart.WIDTH - SvgChart.LEFT - SvgChart.RIGHT) / 2.0);
        // Times outside the range stay on the chart's edge.
        assertThat(SvgChart.x(c, FROM.minus(Duration.ofHours(5)))).isEqualTo(SvgChart.LEFT);
        assertThat(SvgChart.y(0, 10)).isEqualTo(SvgChart.HEIGHT - SvgChart.BOTTOM);
        assertThat(SvgChart.y(10, 10)).isEqualTo(SvgChart.TOP);
    }

    @Test
    void shouldSayInWordsThatThereIsNoHistoryYetWhenTheSeriesAreEmpty() {
        String html = SvgChart.render(
                chart("Machines, last 24 hours", List.of(), List.of(new SvgChart.Series("online", List.of()))));
        assertThat(html).doesNotContain("<svg").contains("no history yet").contains("Machines, last 24 hours");
    }

    @Test
    void shouldGiveTheSvgATitleARoleAndTheSameNumbersAsATable() {
        var times = List.of(FROM, FROM.plus(STEP), FROM.plus(STEP.multipliedBy(2)));
        String html = SvgChart.render(chart(
                "Machines by presence",
                times,
                List.of(
                        new SvgChart.Series("online", List.of(3, 4, 5)),
                        new SvgChart.Series("lost", List.of(0, 1, 2)))));
        assertThat(html)
                .contains("role=\"img\"")
                .contains("aria-labelledby=\"c-title c-desc\"")
                .contains("<title id=\"c-title\">Machines by presence</title>")
                .contains(
                        "<desc id=\"c-desc\">From 00:00 to 01:00 UTC. online: 5 now, between 3 and 5. lost: 2 now, between 0 and 2.</desc>");
        // State named in text beside its colour.
        assertThat(html).contains("<span class=\"swatch online\" aria-hidden=\"true\"></span>online: 5 now");
        assertThat(html)
                .contains("<th scope=\"col\">Time</th><th scope=\"col\">online</th><th scope=\"col\">lost</th>")
                .contains(
                        "<tr><th scope=\"row\"><time datetime=\"2026-12-01T00:10:00Z\">00:10</time></th><td>5</td><td>2</td></tr>");
        assertThat(html).doesNotContain("<th></th>").doesNotContain("style=");
        assertThat(html.split("<polyline", -1)).hasSize(3); // one line a series
    }

    @Test
    void shouldNotJoinPointsAcrossAGapInTheHistory() {
        var times = List.of(FROM, FROM.plus(STEP), FROM.plus(Duration.ofMinutes(40)));
        String svg = SvgChart.svg(chart("t", times, List.of(new SvgChart.Series("online", List.of(1, 1, 1)))));
        assertThat(svg.split("<polyline", -1)).hasSize(3); // two segments: before and after the gap
    }

    @Test
    void shouldEscapeTitlesAndNames() {
        String html = SvgChart.render(chart(
                "<script>alert('x')</script> & co", List.of(FROM), List.of(new SvgChart.Series("a\"b", List.of(1)))));
        assertThat(html)
                .doesNotContain("<script>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co")
                .contains("class=\"line a&quot;b\"");
    }

    @Test
    void shouldRefuseASeriesThatDoesNotMatchTheTimes() {
        assertThatThrownBy(() -> chart("t", List.of(FROM), List.of(new SvgChart.Series("online", List.of(1, 2)))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
