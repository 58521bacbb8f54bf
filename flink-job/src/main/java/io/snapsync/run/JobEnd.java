package io.snapsync.run;

import java.util.concurrent.CompletableFuture;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.JobClient;

/**
 * Completes when a submitted job has ended, however it was submitted. The job client says so in
 * application mode and from {@code flink run}; a REST or web UI submission hands main a client that
 * refuses ("cannot be fetched ... in Web Submission"), so then the cluster's REST API is asked instead
 * (main runs inside the JobManager there, whose configuration names its REST endpoint).
 */
final class JobEnd {
    private JobEnd() {}

    static CompletableFuture<?> of(JobClient client, ReadableConfig config) {
        try {
            return client.getJobExecutionResult();
        } catch (RuntimeException webSubmission) {
            try {
                RestClusterClient<StandaloneClusterId> rest = new RestClusterClient<>(Configuration.fromMap(config.toMap()),
                        StandaloneClusterId.getInstance());
                return rest.requestJobResult(client.getJobID()).whenComplete((r, e) -> rest.close());
            } catch (Exception e) {
                CompletableFuture<?> failed = new CompletableFuture<>();
                failed.completeExceptionally(e);
                return failed;
            }
        }
    }
}
