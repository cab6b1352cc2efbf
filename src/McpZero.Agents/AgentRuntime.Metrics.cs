namespace McpZero.Agents;

/// <summary>Figures for monitoring, read from the runtime's parts.</summary>
public sealed partial class AgentRuntime
{
    private int _executionsRunning;
    private int _executionsQueued;

    /// <summary>Plugin calls that hold an execution slot now, running or waiting for their agent's previous call.</summary>
    public int ExecutionsRunning => _governor?.RunningExecutions ?? Volatile.Read(ref _executionsRunning);

    /// <summary>Exec requests waiting for an execution slot now.</summary>
    public int ExecutionsQueued => _governor?.QueueDepth ?? Volatile.Read(ref _executionsQueued);

    public long ModuleCacheMisses => _engine.ModuleCacheMisses;

    public long InstancesReused => _engine.InstancesReused;

    public long InstancesCreated => _engine.InstancesCreated;

    public long LiveInstances => _engine.LiveInstances;

    /// <inheritdoc cref="Plugins.PluginEngine.LinearMemoryBytes"/>
    public long WasmLinearMemoryBytes => _engine.LinearMemoryBytes;

    /// <inheritdoc cref="Plugins.PluginEngine.LoadedModules"/>
    public int LoadedModules => _engine.LoadedModules;

    /// <inheritdoc cref="Plugins.PluginEngine.ModulesUnloaded"/>
    public long ModulesUnloaded => _engine.ModulesUnloaded;

    public long StoreLogMemoryBytes => _store.LogMemoryBytes;

    public long StoreIndexMemoryBytes => _store.IndexMemoryBytes;

    public long StoreReads => _store.Reads;

    public long StoreWrites => _store.Writes;

    public long StorePendingOperations => _store.PendingOperations;

    public long StoreBytesWritten => _store.BytesWritten;

    public long StoreCheckpoints => _store.Checkpoints;

    public long TraceAppends => _traces.Appends;

    public long TraceBytesAppended => _traces.BytesAppended;

    public long TraceCommits => _traces.Commits;
}
