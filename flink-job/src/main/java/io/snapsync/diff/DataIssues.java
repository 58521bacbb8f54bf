package io.snapsync.diff;

import io.snapsync.config.TablePolicies;
import io.snapsync.result.WriteResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The data issues of one run, summed over the diff's subtasks, and the verdict the table's policies give. */
public record DataIssues(long duplicateKeys, long nullKeyRows, long nulFixedRows, long droppedRows, long carriedEntries,
                         List<String> samples) {

    public static DataIssues sum(Collection<WriteResult.IssueCounts> results) {
        long dup = 0;
        long nul = 0;
        long fixed = 0;
        long dropped = 0;
        long carried = 0;
        List<String> samples = new ArrayList<>();
        for (WriteResult.IssueCounts r : results) {
            dup += r.duplicateKeys();
            nul += r.nullKeyRows();
            fixed += r.nulFixedRows();
            dropped += r.droppedRows();
            carried += r.carriedEntries();
            samples.addAll(r.samples());
        }
        return new DataIssues(dup, nul, fixed, dropped, carried, samples);
    }

    /** Why the run must not be applied, with the figures and examples; null when the policies accept it. */
    public String refusal(String table, TablePolicies policies) {
        List<String> why = new ArrayList<>();
        if (duplicateKeys > 0 && policies.onDuplicateKey() == TablePolicies.DuplicateKeys.FAIL) {
            why.add(duplicateKeys + " primary key(s) occur more than once in the source snapshot, e.g. " + examples("DUPLICATE_KEY")
                    + " (on-duplicate-key: keep-one or skip to load it)");
        }
        if (nullKeyRows > 0 && policies.onNullKey() == TablePolicies.NullKeys.FAIL) {
            why.add(nullKeyRows + " source row(s) have a NULL primary-key column, e.g. " + examples("NULL_KEY")
                    + " (on-null-key: skip to leave them out)");
        }
        return why.isEmpty() ? null : "table " + table + ": " + String.join("; ", why) + "; nothing applied";
    }

    private String examples(String kind) {
        return String.join(", ", samples.stream().filter(l -> l.startsWith(kind + " ")).limit(5)
                .map(l -> l.substring(kind.length() + 1)).toList());
    }
}
