namespace McpZero.Agents.Governance;

/// <summary>Settings of an <see cref="ExecutionGovernor"/>.</summary>
public sealed class ExecutionGovernorOptions
{
    /// <summary>Executions that run at once, which is also the number of worker threads. More than the cores only adds contention.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Sustained CPU time executions may use, in cores: 0.27 is 27% of one core.</summary>
    public double CpuBudgetCores { get; init; } = 0.27;

    /// <summary>Requests that may wait per agent. One more is rejected with Busy.</summary>
    public int MaxQueuedPerAgent { get; init; } = 16;

    /// <summary>Requests that may wait over all agents. One more is rejected with Busy.</summary>
    public int MaxQueuedTotal { get; init; } = 256;

    /// <summary>Bytes of input that waiting requests may hold together. A request that would pass it is rejected with Busy.</summary>
    public long MaxQueuedInputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Time a request may wait before it starts. After it the request is rejected with Busy.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
