namespace McpZero.Server.Metrics;

/// <summary>The number of plugin calls running and waiting now, for the queue-depth metrics.</summary>
/// <remarks>
/// The daemon registers one implementation as a singleton. Whatever admits exec requests, and so
/// owns the queue, should provide it.
/// </remarks>
public interface IExecutionQueueDepth
{
    /// <summary>Calls admitted and not yet finished.</summary>
    int Running { get; }

    /// <summary>Calls waiting for admission.</summary>
    int Queued { get; }
}

/// <summary>Reads the queue depth from the agent runtime's execution slots.</summary>
internal sealed class RuntimeQueueDepth(AgentRuntimeService runtimeService) : IExecutionQueueDepth
{
    public int Running => runtimeService.Runtime.ExecutionsRunning;

    public int Queued => runtimeService.Runtime.ExecutionsQueued;
}
