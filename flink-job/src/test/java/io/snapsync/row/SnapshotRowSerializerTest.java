package io.snapsync.row;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SnapshotRowSerializerTest {
    private static SnapshotRow roundTrip(SnapshotRow r, boolean viaCopy) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SnapshotRowSerializer.INSTANCE.serialize(r, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        if (viaCopy) { // the sort and spill path copies serialized records without deserializing them
            DataOutputSerializer copied = new DataOutputSerializer(64);
            SnapshotRowSerializer.INSTANCE.copy(in, copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
            in = new DataInputDeserializer(copied.getCopyOfBuffer());
        }
        SnapshotRow back = SnapshotRowSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    /** Flink's copy between chained operators: every field, and a copy whose flags change leaves the original alone. */
    @Test
    void anObjectCopyHasEveryFieldAndItsOwnFlags() {
        SnapshotRow r = new SnapshotRow(Keys.fromBytes(new byte[] {1, (byte) 0x80}), 3, 4, new byte[] {9, 8});
        r.flags = SnapshotRow.NUL_FIXED;
        for (SnapshotRow from : new SnapshotRow[] {r, new SnapshotRow(Keys.fromBytes(new byte[] {5}), 1, 2, null), new SnapshotRow()}) {
            SnapshotRow copy = SnapshotRowSerializer.INSTANCE.copy(from);
            assertThat(copy).isNotSameAs(from).usingRecursiveComparison().isEqualTo(from);
            copy.flags |= SnapshotRow.CHANGED;
            assertThat(from.has(SnapshotRow.CHANGED)).isFalse();
        }
    }

    @Test
    void everyFieldSurvivesIncludingHighLatin1KeyBytesAndAMissingRow() throws Exception {
        SnapshotRow full = new SnapshotRow(Keys.fromBytes(new byte[] {1, (byte) 0x80, (byte) 0xff, 0}), -7L, Long.MAX_VALUE,
                new byte[] {0, 1, 2, (byte) 0xfe});
        full.flags = SnapshotRow.NUL_FIXED;
        SnapshotRow carried = new SnapshotRow(Keys.fromBytes(new byte[] {5}), 1, 2, null); // a cache entry carried over
        for (SnapshotRow r : new SnapshotRow[] {full, carried, new SnapshotRow()}) {
            for (boolean viaCopy : new boolean[] {false, true}) {
                assertThat(roundTrip(r, viaCopy)).usingRecursiveComparison().isEqualTo(r);
            }
        }
    }

    @Test
    void flinkUsesItWhereverItDerivesTheType() {
        assertThat(TypeInformation.of(SnapshotRow.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(SnapshotRowSerializer.INSTANCE);
    }
}
