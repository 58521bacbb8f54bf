package io.snapsync.row;

/**
 * The JSON escape {@code \u0000} inside a string of a SUPER/JSON value: valid JSON, but PostgreSQL's
 * jsonb refuses it ("unsupported Unicode escape sequence"). Only real escapes count: in {@code \\u0000}
 * the backslash is itself escaped and the rest is plain text.
 */
public final class JsonNul {
    private JsonNul() {}

    /** Whether {@code json} contains the escape {@code \u0000}. */
    public static boolean contains(String json) {
        return rewrite(json, null) != null;
    }

    /**
     * The text with every {@code \u0000} escape replaced by {@code replacement} (inserted as JSON string
     * content, escaped), or null when there is none.
     */
    public static String rewrite(String json, String replacement) {
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0; i < json.length(); i++) {
            if (json.charAt(i) != '\\' || i + 1 >= json.length()) {
                continue;
            }
            if (json.startsWith("u0000", i + 1)) {
                if (out == null) {
                    out = new StringBuilder(json.length());
                }
                out.append(json, copied, i);
                if (replacement != null) {
                    out.append(escape(replacement));
                }
                copied = i + 6;
                i += 5;
            } else {
                i++; // skip the escaped character (which may itself be a backslash)
            }
        }
        if (out == null) {
            return null;
        }
        return out.append(json, copied, json.length()).toString();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}
