using McpZero.Storage;

namespace McpZero.StateBench;

internal static class FasterOptions
{
    /// <summary>
    /// Returns the options AgentRuntime opens its store with, except that the background checkpoint
    /// loop is off and the commit policy is checkpoint, so that only the workload's commits make
    /// writes durable. SQLite commits at the same points; the daemon's default sync policy would
    /// instead wait for a journal commit on every upsert.
    /// </summary>
    public static StateStoreOptions For(string directory) => new()
    {
        Directory = directory,
        CheckpointInterval = TimeSpan.Zero,
        CommitPolicy = StateCommitPolicy.Checkpoint,
    };
}
