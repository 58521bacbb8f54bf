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
    void aCopyIsANewRecordOverTheSameRowBytes() {
        SnapshotRow r = new SnapshotRow(Keys.fromBytes(new byte[] {1, 2}), 3, 4, new byte[] {5, 6});
        r.flags = SnapshotRow.NUL_FIXED;
        SnapshotRow copy = SnapshotRowSerializer.INSTANCE.copy(r);
        assertThat(copy).isNotSameAs(r).usingRecursiveComparison().isEqualTo(r);
        assertThat(copy.row).isSameAs(r.row); // row arrays are never written once built: no clone per chained hop
        copy.flags = SnapshotRow.CHANGED;
        assertThat(r.flags).isEqualTo(SnapshotRow.NUL_FIXED);
    }

    @Test
    void changesSurviveTheirSerializerIncludingADeleteWithoutRow() throws Exception {
        Change upsert = new Change(ChangeKind.UPDATE, Keys.fromBytes(new byte[] {1, (byte) 0x80, (byte) 0xff, 0}), new byte[] {0, 1, (byte) 0xfe});
        Change delete = new Change(ChangeKind.DELETE, Keys.fromBytes(new byte[] {7}), null);
        for (Change c : new Change[] {upsert, delete, new Change()}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            ChangeSerializer.INSTANCE.serialize(c, out);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            ChangeSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            assertThat(ChangeSerializer.INSTANCE.deserialize(in)).usingRecursiveComparison().isEqualTo(c);
            assertThat(in.available()).isZero();
        }
        assertThat(ChangeSerializer.INSTANCE.copy(upsert).row).isSameAs(upsert.row);
        assertThat(TypeInformation.of(Change.class).createSerializer(new SerializerConfigImpl())).isSameAs(ChangeSerializer.INSTANCE);
    }

    @Test
    void flinkUsesItWhereverItDerivesTheType() {
        assertThat(TypeInformation.of(SnapshotRow.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(SnapshotRowSerializer.INSTANCE);
    }
}
