using McpZero.Agents.Governance;
using McpZero.Storage;

namespace McpZero.Agents;

/// <summary>Settings of the agent runtime; the server fills them from configuration.</summary>
public sealed class AgentRuntimeOptions
{
    /// <summary>Root of all persistent state: store, trace log, modules and compiled cache.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Receives the outcome and duration of every plugin call; null when nothing monitors them.</summary>
    public IExecutionObserver? ExecutionObserver { get; init; }

    /// <summary>Warm instances kept per plugin module.</summary>
    public int InstancesPerPlugin { get; init; } = 4;

    /// <summary>Largest exec input accepted, in bytes.</summary>
    public int MaxInputBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest plugin output accepted, in bytes.</summary>
    public int MaxOutputBytes { get; init; } = 1024 * 1024;

    /// <summary>Linear-memory limit of an agent that sets no <c>memory_mb</c>.</summary>
    public int DefaultMemoryMb { get; init; } = 64;

    /// <summary>Wall-clock limit of one call for an agent that sets no <c>timeout_ms</c>.</summary>
    public int DefaultTimeoutMs { get; init; } = 5_000;

    /// <summary>
    /// Fuel of one call for an agent that sets no <c>fuel</c>; about one unit per WebAssembly
    /// instruction. A tight loop burnt 2 billion units in under 1.5 seconds on a 2-core EPYC VM, so the
    /// default lasts well past the default timeout and the timeout is what stops a runaway call.
    /// </summary>
    public long DefaultFuel { get; init; } = 50_000_000_000;

    /// <summary>Bytes of variables an agent may hold when the plugin's manifest sets no limit.</summary>
    public long DefaultMaxVariableBytes { get; init; } = 1024 * 1024;

    /// <summary>Time between periodic checkpoints of the state store.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When a change is durable. Under <see cref="StateCommitPolicy.Sync"/> an exec also waits for
    /// its trace record to be committed before it returns.
    /// </summary>
    public StateCommitPolicy StateCommitPolicy { get; init; } = StateCommitPolicy.Sync;

    /// <summary>Journal commit period under <see cref="StateCommitPolicy.Interval"/>.</summary>
    public TimeSpan StateCommitInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Executions allowed to run at once; more wait. Defaults to the number of cores.</summary>
    public int MaxConcurrentExecutions { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Bytes of WebAssembly linear memory that all plugin instances may reserve together; 0 sets no
    /// budget, so only each agent's memory limit applies.
    /// </summary>
    public long MemoryBudgetBytes { get; init; }

    /// <summary>In-memory part of the state store's log in bytes; a power of two of at least two 2 MiB pages.</summary>
    public long StoreMemoryBytes { get; init; } = 8 << 20;

    /// <summary>
    /// True runs executions through the <see cref="ExecutionGovernor"/>: per-agent queues and the CPU
    /// budget. False lets them run as soon as one of <see cref="MaxConcurrentExecutions"/> slots is
    /// free, which exists to measure what governance costs.
    /// </summary>
    public bool AdmissionControl { get; init; } = true;

    /// <summary>
    /// Queue limits, queue timeout and CPU budget of the governor. Its worker count is
    /// <see cref="MaxConcurrentExecutions"/>; the queue timeout also bounds the wait for memory.
    /// </summary>
    public ExecutionGovernorOptions Governance { get; init; } = new();

    /// <summary>
    /// Time after which a plugin that no call used is unloaded, with its compiled module and warm
    /// instances. The next call loads it again from the compiled-module cache. Zero keeps plugins loaded.
    /// </summary>
    public TimeSpan PluginIdleUnloadAfter { get; init; }

    /// <summary>Bytes of cached results of exports that the manifest marks cacheable; 0 turns the result cache off.</summary>
    public long ResultCacheBytes { get; init; }

    /// <summary>Segment size and retention limits of the trace log.</summary>
    public TraceLogOptions Traces { get; init; } = new();

    /// <summary>
    /// Folder of trusted signing keys (<c>*.pub</c>, ECDSA P-256 public keys in PEM), read at each
    /// install; null means <c>trusted-keys</c> under <see cref="DataDirectory"/>.
    /// </summary>
    public string? TrustedKeysDirectory { get; init; }

    /// <summary>
    /// True accepts plugins without signature.bin, for development. A signature that is present is
    /// verified either way.
    /// </summary>
    public bool AllowUnsignedPlugins { get; init; }
}
