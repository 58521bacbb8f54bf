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
 * Flink's serializer for {@link Change}, the record every changed row travels as from the diff to the staging
 * writers. Hand-written because the POJO serializer's copy between chained operators cloned every row array
 * (a first load passes every row through it) and reaches the fields by reflection. Layout: kind ordinal (-1:
 * none), key length (-1: none), key bytes (Latin-1, see {@link Keys}), row length (-1: none), row bytes.
 */
public final class ChangeSerializer extends TypeSerializerSingleton<Change> {
    public static final ChangeSerializer INSTANCE = new ChangeSerializer();
    private static final ChangeKind[] KINDS = ChangeKind.values();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Change createInstance() {
        return new Change();
    }

    /** A new record sharing the row bytes, which nothing writes into once built (see SnapshotRowSerializer#copy). */
    @Override
    public Change copy(Change from) {
        return new Change(from.kind, from.key, from.row);
    }

    @Override
    public Change copy(Change from, Change reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Change c, DataOutputView out) throws IOException {
        out.writeByte(c.kind == null ? -1 : c.kind.ordinal());
        writeBytes(c.key == null ? null : c.key.getBytes(StandardCharsets.ISO_8859_1), out);
        writeBytes(c.row, out);
    }

    private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    @Override
    public Change deserialize(DataInputView in) throws IOException {
        byte kind = in.readByte();
        byte[] key = readBytes(in);
        return new Change(kind < 0 ? null : KINDS[kind], key == null ? null : Keys.fromBytes(key), readBytes(in));
    }

    @Override
    public Change deserialize(Change reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        out.writeByte(in.readByte());
        for (int field = 0; field < 2; field++) {
            int n = in.readInt();
            out.writeInt(n);
            if (n > 0) {
                out.write(in, n);
            }
        }
    }

    @Override
    public TypeSerializerSnapshot<Change> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Change> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes every place Flink derives Change's type (operator outputs, side outputs) use this serializer. */
    public static final class Factory extends TypeInfoFactory<Change> {
        @Override
        public TypeInformation<Change> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SingletonTypeInfo<>(Change.class, INSTANCE);
        }
    }
}
