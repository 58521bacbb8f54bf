package io.snapsync.result;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.commit.CommitOutcome;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The messages between stages cross Flink's network as the job declares them; each kind comes back equal. */
class WriteResultSerializationTest {

    private static <T> T roundTrip(Class<T> type, T value) throws Exception {
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void everyKindOfWriteResultSurvivesTheExchange() throws Exception {
        List<WriteResult> sent = List.of(
                new WriteResult.StagedPart(Stage.UPSERTS, 3, 1, 10, 7, 3, List.of("INSERT (id=1)", "UPDATE (id=2)")),
                new WriteResult.StagedPart(Stage.DELETES, 0, 0, 4, 0, 0),
                new WriteResult.CacheFile(2, 0, 99, "part-2-a0.parquet", 4096, "0a1b2c3d"),
                new WriteResult.CacheFile(1, 0, 0, null, 0, null),
                new WriteResult.CacheFile(3, 1, 7, "part-3-a1.parquet", 512, "ff00", "\u0001a", "\u0001z", true),
                new WriteResult.IssueCounts(1, 2, 1, 2, 3, 4, 5, List.of("DUPLICATE_KEY (id=42) x3")),
                new WriteResult.Failed(Stage.CACHE, 0, 1, "table t: bad value"));
        for (WriteResult r : sent) {
            assertThat(roundTrip(WriteResult.class, r)).isEqualTo(r);
        }
    }

    @Test
    void aStagedPartIsUpsertsOrDeletes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WriteResult.StagedPart(Stage.CACHE, 0, 0, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOutcomeCarriesItsListsTyped() throws Exception {
        CommitOutcome o = new CommitOutcome();
        o.table = "t";
        o.samples = new java.util.ArrayList<>(List.of("INSERT (id=1)", "DELETE (id=2)"));
        o.issueSamples = new java.util.ArrayList<>(List.of("NULL_KEY (id=NULL)"));
        o.resyncNotes = new java.util.ArrayList<>(List.of("index i not kept: why"));
        CommitOutcome back = roundTrip(CommitOutcome.class, o);
        assertThat(back.samples).containsExactly("INSERT (id=1)", "DELETE (id=2)");
        assertThat(back.issueSamples).containsExactly("NULL_KEY (id=NULL)");
        assertThat(back.resyncNotes).containsExactly("index i not kept: why");
    }
}
