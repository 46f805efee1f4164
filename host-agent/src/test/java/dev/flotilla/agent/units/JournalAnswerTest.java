package dev.flotilla.agent.units;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.UnitQueryReply;

import static org.assertj.core.api.Assertions.assertThat;

/** A journal answer never exceeds the service's frame limit, and keeps the newest lines. */
class JournalAnswerTest {
    @Test
    void shouldKeepTheNewestLinesWithinTheBudget() throws Exception {
        List<UnitQueryReply.JournalEntry> lines = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // 1,000 lines of 4 KiB of characters JSON must escape: far over a frame
            lines.add(new UnitQueryReply.JournalEntry(Instant.now(), 6, "42", i + " " + "\"\\".repeat(2048)));
        }
        List<UnitQueryReply.JournalEntry> kept = UnitInspector.newestWithin(lines, UnitInspector.MAX_JOURNAL_BYTES);
        assertThat(kept).isNotEmpty().hasSizeLessThan(1000);
        assertThat(kept.get(kept.size() - 1).message()).startsWith("999 ");
        String frame = FrameCodec.encode(new UnitQueryReply("r", kept, null, null));
        assertThat(frame.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(UnitInspector.MAX_JOURNAL_BYTES + 1024)
                .isLessThan(Protocol.MAX_FRAME_BYTES);
        assertThat(UnitInspector.newestWithin(lines.subList(0, 3), UnitInspector.MAX_JOURNAL_BYTES))
                .hasSize(3);
    }
}
