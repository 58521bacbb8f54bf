package io.snapsync.unload;

import java.io.Serializable;
import java.util.List;

/**
 * One table's snapshot as UNLOAD left it on S3 for this run: the run's own location
 * ({@code <prefix>/<table>/<run id>/}), the files its manifest lists and the rows the manifest reports.
 */
public record UnloadSnapshot(String location, List<UnloadManifest.Entry> files, long rows) implements Serializable {}
