package io.snapsync.row;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link SnapshotRow}, the record every source row travels as through the shuffle and
 * the sort. Hand-written because the POJO serializer reaches each field by reflection and writes the key
 * String char by char (varint-encoded); here the key goes as its Latin-1 bytes and the row as one array.
 * Layout: key length, key bytes, hashHi, hashLo, flags, row length (-1: no row), row bytes.
 */
public final class SnapshotRowSerializer extends TypeSerializerSingleton<SnapshotRow> {
    public static final SnapshotRowSerializer INSTANCE = new SnapshotRowSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SnapshotRow createInstance() {
        return new SnapshotRow();
    }

    /**
     * A new record sharing the row bytes: Flink copies every record passed between chained operators, and no
     * operator writes into a row array once it is built (only the record's fields, e.g. flags, change).
     */
    @Override
    public SnapshotRow copy(SnapshotRow from) {
        SnapshotRow to = new SnapshotRow(from.key, from.hashHi, from.hashLo, from.row);
        to.flags = from.flags;
        return to;
    }

    @Override
    public SnapshotRow copy(SnapshotRow from, SnapshotRow reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SnapshotRow r, DataOutputView out) throws IOException {
        if (r.key == null) {
            out.writeInt(-1);
        } else {
            byte[] key = r.key.getBytes(StandardCharsets.ISO_8859_1);
            out.writeInt(key.length);
            out.write(key);
        }
        out.writeLong(r.hashHi);
        out.writeLong(r.hashLo);
        out.writeByte(r.flags);
        if (r.row == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(r.row.length);
            out.write(r.row);
        }
    }

    @Override
    public SnapshotRow deserialize(DataInputView in) throws IOException {
        int keyLen = in.readInt();
        String key = null;
        if (keyLen >= 0) {
            byte[] bytes = new byte[keyLen];
            in.readFully(bytes);
            key = new String(bytes, StandardCharsets.ISO_8859_1);
        }
        SnapshotRow r = new SnapshotRow(key, in.readLong(), in.readLong(), null);
        r.flags = in.readByte();
        int len = in.readInt();
        if (len >= 0) {
            r.row = new byte[len];
            in.readFully(r.row);
        }
        return r;
    }

    @Override
    public SnapshotRow deserialize(SnapshotRow reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int keyLen = in.readInt();
        out.writeInt(keyLen);
        out.write(in, Math.max(0, keyLen) + 17);
        int len = in.readInt();
        out.writeInt(len);
        if (len > 0) {
            out.write(in, len);
        }
    }

    @Override
    public TypeSerializerSnapshot<SnapshotRow> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SnapshotRow> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes every place Flink derives SnapshotRow's type (sources, side outputs, state) use this serializer. */
    public static final class Factory extends TypeInfoFactory<SnapshotRow> {
        @Override
        public TypeInformation<SnapshotRow> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SingletonTypeInfo<>(SnapshotRow.class, INSTANCE);
        }
    }
}
