package io.snapsync.row;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonNulTest {
    @Test
    void findsAndRewritesOnlyRealEscapes() {
        assertThat(JsonNul.contains("{\"a\": \"x\\u0000y\"}")).isTrue();
        assertThat(JsonNul.contains("{\"a\": \"x\\\\u0000y\"}")).as("an escaped backslash, then text").isFalse();
        assertThat(JsonNul.contains("{\"a\": \"x\\\\\\u0000y\"}")).as("escaped backslash, then the escape").isTrue();
        assertThat(JsonNul.contains("{\"a\": \"\\u00001\"}")).isTrue();
        assertThat(JsonNul.contains("{\"a\": \"\\u0001\"}")).isFalse();
        assertThat(JsonNul.rewrite("[\"a\\u0000b\", \"\\u0000\"]", "")).isEqualTo("[\"ab\", \"\"]");
        assertThat(JsonNul.rewrite("[\"a\\u0000b\"]", "\"?\\")).as("the replacement is JSON-escaped").isEqualTo("[\"a\\\"?\\\\b\"]");
        assertThat(JsonNul.rewrite("[\"plain\"]", "x")).isNull();
    }
}
