package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.ShortChannelId;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

final class TestSeenHtlcs
{
    @Test
    void theJoinTableForgetsTheOldestWhenFull()
    {
        SeenHtlcs table = new SeenHtlcs(2);
        for (int id = 1; id <= 3; id++) {
            table.put(new HtlcSeen(ShortChannelId.parse("101x1x0"), id, 1000, 800_100, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty()));
        }
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.get(ShortChannelId.parse("101x1x0"), 1)).isEmpty();
        assertThat(table.get(ShortChannelId.parse("101x1x0"), 3)).isPresent();
        table.remove(ShortChannelId.parse("101x1x0"), 3);
        assertThat(table.get(ShortChannelId.parse("101x1x0"), 3)).isEmpty();
    }
}
