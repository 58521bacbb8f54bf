package io.snapsync.row;

import io.snapsync.config.TablePolicies;
import java.io.Serializable;

/**
 * What the row encoder needs besides the schema: the table's name for messages, and what to do with
 * text containing U+0000 (PostgreSQL text cannot hold it).
 */
public record EncoderOptions(String table, TablePolicies.NulCharacters nul, String nulReplacement) implements Serializable {
    /** Fail on NUL: for reads that must be taken as they are (the live target cannot hold NUL anyway). */
    public static EncoderOptions strict(String table) {
        return new EncoderOptions(table, TablePolicies.NulCharacters.FAIL, "");
    }

    public static EncoderOptions of(String table, TablePolicies policies) {
        return new EncoderOptions(table, policies.onNulCharacter(), policies.nulReplacement());
    }
}
