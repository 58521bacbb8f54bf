package io.snapsync.schema;

import java.util.List;
import java.util.stream.Collectors;

/** Identifier quoting. Every identifier snapsync puts into SQL goes through here. */
public final class Identifiers {
    private Identifiers() {}

    /** Quotes one identifier for PostgreSQL and Redshift: {@code a"b} becomes {@code "a""b"}. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("empty identifier");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** {@code "a", "b", "c"}. */
    public static String quoteAll(List<String> identifiers) {
        return identifiers.stream().map(Identifiers::quote).collect(Collectors.joining(", "));
    }

    /** {@code p."a", p."b"}. */
    public static String quoteAll(String prefix, List<String> identifiers) {
        return identifiers.stream()
                .map(i -> prefix + "." + quote(i))
                .collect(Collectors.joining(", "));
    }
}
