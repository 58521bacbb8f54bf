package io.snapsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.TableName;
import io.snapsync.targetdb.ControlTable;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ControlRowCheckTest {
    private static ControlTable.State state(String target, String source) {
        return new ControlTable.State("items", target, "r1", "v-r1", "file:///c", 10, "fp", 0, 0, 0, Instant.EPOCH, source);
    }

    @Test
    void anotherTargetIsRefusedWithTheWayOut() {
        assertThat(ControlRowCheck.movedTarget(state("public.items", null), TableName.parse("public.items"))).isEmpty();
        assertThat(ControlRowCheck.movedTarget(state("public.items", null), TableName.parse("app.items"))).hasValueSatisfying(m ->
                assertThat(m).contains("table items was last synced into public.items").contains("target is now app.items")
                        .contains("snapsync reconcile").contains("snapsync resync"));
        assertThat(ControlRowCheck.movedTarget(state("public.items", null), TableName.parse("\"Public\".items"))).isPresent();
    }

    @Test
    void anotherSourceIsOnlyNotedAndAnUnrecordedOneNotAtAll() {
        assertThat(ControlRowCheck.movedSource(state("public.items", null), TableName.parse("x.y"))).isNull();
        assertThat(ControlRowCheck.movedSource(state("public.items", "public.items"), TableName.parse("public.items"))).isNull();
        assertThat(ControlRowCheck.movedSource(state("public.items", "public.items"), TableName.parse("public.items2")))
                .contains("changed from public.items to public.items2");
    }
}
