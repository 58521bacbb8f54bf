package io.snapsync.row;

import java.nio.charset.StandardCharsets;

/**
 * Primary keys travel through Flink as a String holding the canonical key bytes one byte per char
 * (ISO-8859-1). Flink cannot key by {@code byte[]} (arrays have identity hashCode); a Latin-1 String
 * has value equality, a one-byte-per-char compact representation, and a built-in serializer.
 */
public final class Keys {
    private Keys() {}

    public static String fromBytes(byte[] key, int off, int len) {
        return new String(key, off, len, StandardCharsets.ISO_8859_1);
    }

    public static String fromBytes(byte[] key) {
        return fromBytes(key, 0, key.length);
    }

    public static byte[] toBytes(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }
}
