using McpZero.Storage;

namespace McpZero.StateBench;

internal static class FasterOptions
{
    /// <summary>
    /// Returns the options AgentRuntime opens its store with, except that the background checkpoint
    /// loop is off, so that only the workload's commits take checkpoints.
    /// </summary>
    public static StateStoreOptions For(string directory) => new()
    {
        Directory = directory,
        CheckpointInterval = TimeSpan.Zero,
    };
}
