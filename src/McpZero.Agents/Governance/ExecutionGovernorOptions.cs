namespace McpZero.Agents.Governance;

/// <summary>Settings of an <see cref="ExecutionGovernor"/>.</summary>
public sealed class ExecutionGovernorOptions
{
    /// <summary>Threads that run executions; at most the number of cores is sensible.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Sustained CPU time executions may use, in cores: 0.27 is 27% of one core.</summary>
    public double CpuBudgetCores { get; init; } = 0.27;

    /// <summary>Requests that may wait per agent; one more is rejected with Busy.</summary>
    public int MaxQueuedPerAgent { get; init; } = 16;

    /// <summary>Requests that may wait over all agents; one more is rejected with Busy.</summary>
    public int MaxQueuedTotal { get; init; } = 256;

    /// <summary>Time a request may wait before it starts; after it the request is rejected with Busy.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
