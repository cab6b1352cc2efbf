using System.Collections.Concurrent;
using McpZero.Agents.Caching;
using McpZero.Agents.Governance;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Storage;
using Microsoft.Extensions.Logging;

namespace McpZero.Agents;

/// <summary>
/// Owns the agents, the plugin registry, the state store, the trace log and the plugin engine.
/// Every public method is thread-safe; calls on one agent run one at a time, calls on different
/// agents run in parallel up to <see cref="AgentRuntimeOptions.MaxConcurrentExecutions"/>.
/// </summary>
public sealed partial class AgentRuntime : IAsyncDisposable
{
    private readonly AgentRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly ILogger _pluginLogger;
    private readonly StateStore _store;
    private readonly TraceLog _traces;
    private readonly GroupCommit _traceCommit;
    private readonly PluginEngine _engine;
    private readonly DataDirectoryLock _directoryLock;
    private readonly string _modulesDirectory;
    private readonly ConcurrentDictionary<string, AgentState> _agents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PluginState> _plugins = new(StringComparer.Ordinal);

    // Serializes changes to the agent and plugin indexes; executions never take it.
    private readonly Lock _catalogLock = new();

    // Serializes snapshot creation and deletion, because snapshots of different agents share values.
    private readonly Lock _snapshotLock = new();
    private readonly SnapshotBlobs _snapshotBlobs;
    private readonly SemaphoreSlim _executionSlots;
    private readonly ExecutionGovernor? _governor;

    // Null when AgentRuntimeOptions.ResultCacheBytes is 0.
    private readonly ResultCache? _resultCache;

    // Cancelled at shutdown: running plugin calls stop at their next epoch check, new ones are rejected.
    private readonly CancellationTokenSource _stopping = new();
    private long _executions;
    private int _disposed;

    private AgentRuntime(AgentRuntimeOptions options, ILoggerFactory loggerFactory, StateStore store, TraceLog traces, PluginEngine engine, DataDirectoryLock directoryLock)
    {
        _directoryLock = directoryLock;
        _options = options;
        _pluginLogger = loggerFactory.CreateLogger("McpZero.Plugins.Guest");
        _logger = loggerFactory.CreateLogger<AgentRuntime>();
        _store = store;
        _snapshotBlobs = new SnapshotBlobs(store);
        _traces = traces;
        _traceCommit = new GroupCommit(traces.CommitAsync);
        _engine = engine;
        _modulesDirectory = Path.Combine(options.DataDirectory, "modules");
        _executionSlots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentExecutions));
        _resultCache = options.ResultCacheBytes > 0 ? new ResultCache(options.ResultCacheBytes) : null;
        if (options.AdmissionControl)
        {
            var governance = new ExecutionGovernorOptions
            {
                Workers = Math.Max(1, options.MaxConcurrentExecutions),
                CpuBudgetCores = options.Governance.CpuBudgetCores,
                MaxQueuedPerAgent = options.Governance.MaxQueuedPerAgent,
                MaxQueuedTotal = options.Governance.MaxQueuedTotal,
                QueueTimeout = options.Governance.QueueTimeout,
                MaxQueuedInputBytes = options.Governance.MaxQueuedInputBytes,
            };
            _governor = new ExecutionGovernor(governance, engine.MemoryBudget, TimeProvider.System);
        }
    }

    /// <summary>Queue, CPU and memory counters of execution admission, or null when <see cref="AgentRuntimeOptions.AdmissionControl"/> is off.</summary>
    public ExecutionGovernor? Governor => _governor;

    /// <summary>The memory budget of WebAssembly linear memory, or null when <see cref="AgentRuntimeOptions.MemoryBudgetBytes"/> is 0.</summary>
    public MemoryBudget? MemoryBudget => _engine.MemoryBudget;

    public long Executions => Interlocked.Read(ref _executions);

    public int AgentCount => _agents.Count(static pair => pair.Value.Record.Status == AgentStatus.Active);

    public int PluginCount => _plugins.Count;

    public long TraceRecords => _traces.Count;

    /// <summary>True under <see cref="StateCommitPolicy.Sync"/>, where every change is durable before its call returns.</summary>
    public bool CommitsEveryChange => _options.StateCommitPolicy == StateCommitPolicy.Sync;

    public long ModulesCompiled => _engine.ModulesCompiled;

    public long ModulesLoadedFromCache => _engine.ModulesLoadedFromCache;

    /// <summary>
    /// Opens or creates the data directory, recovers the store and the trace log, and loads the
    /// agent and plugin catalogs into memory.
    /// </summary>
    /// <exception cref="AgentException">The data directory cannot be used.</exception>
    public static AgentRuntime Open(AgentRuntimeOptions options, ILoggerFactory loggerFactory)
    {
        string dataDirectory = Path.GetFullPath(options.DataDirectory);
        EnsureWritableDirectory(dataDirectory);
        DataDirectoryLock directoryLock = DataDirectoryLock.Acquire(dataDirectory);

        StateStore? store = null;
        TraceLog? traces = null;
        PluginEngine? engine = null;
        try
        {
            store = StateStore.Open(
                new StateStoreOptions
                {
                    Directory = Path.Combine(dataDirectory, "store"),
                    CheckpointInterval = options.CheckpointInterval,
                    MemoryBytes = options.StoreMemoryBytes,
                    CommitPolicy = options.StateCommitPolicy,
                    CommitInterval = options.StateCommitInterval,
                },
                loggerFactory.CreateLogger<StateStore>());
            traces = TraceLog.Open(Path.Combine(dataDirectory, "traces"), loggerFactory.CreateLogger<TraceLog>(), options.Traces);
            engine = new PluginEngine(
                new PluginEngineOptions
                {
                    CacheDirectory = Path.Combine(dataDirectory, "cache"),
                    InstancesPerPlugin = options.InstancesPerPlugin,
                    MemoryBudget = options.MemoryBudgetBytes > 0 ? new MemoryBudget(options.MemoryBudgetBytes) : null,
                    IdleUnloadAfter = options.PluginIdleUnloadAfter,
                },
                loggerFactory.CreateLogger<PluginEngine>());

            var runtime = new AgentRuntime(options, loggerFactory, store, traces, engine, directoryLock);
            Directory.CreateDirectory(runtime._modulesDirectory);
            runtime.LoadCatalogs();
            // Collections first: resetting and deleting pooled agents updates the agent indexes.
            runtime.OpenCollections();
            runtime.LoadPools();
            return runtime;
        }
        catch (Exception ex)
        {
            engine?.Dispose();
            traces?.Dispose();
            store?.Dispose();
            directoryLock.Dispose();
            if (ex is StorageException)
            {
                throw new AgentException(ErrorCode.StorageFailure, ex.Message, ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Stops plugin calls that are still running and rejects new ones with
    /// <see cref="ErrorCode.ShuttingDown"/>. Each stopped call is traced and fails with that error.
    /// </summary>
    public void CancelRunningCalls() => _stopping.Cancel();

    /// <summary>Writes everything durable: commits the trace log and checkpoints the store.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _traces.CommitAsync(cancellationToken).ConfigureAwait(false);
        await _store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopPoolRefillsAsync().ConfigureAwait(false);
        // Queued executions are rejected and running ones finish before the store and trace log close.
        _governor?.Dispose();
        await _traces.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        _traceCommit.Dispose();
        _engine.Dispose();
        _executionSlots.Dispose();
        _stopping.Dispose();
        _directoryLock.Dispose();
    }

    private static void EnsureWritableDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AgentException(
                ErrorCode.StorageFailure,
                $"data directory '{directory}' is not writable: {ex.Message}; choose another with --data or fix its permissions",
                ex);
        }
    }

    private void LoadCatalogs()
    {
        IdIndex plugins = _store.ReadDocument<IdIndex>(StoreKeys.PluginIndex) ?? new IdIndex();
        foreach (string name in plugins.Ids)
        {
            PluginRecord? record = _store.ReadDocument<PluginRecord>(StoreKeys.Plugin(name));
            if (record is null)
            {
                Log.CatalogEntryMissing(_logger, "plugin", name);
                continue;
            }

            _plugins[name] = new PluginState(WithVersionDefaults(record));
        }

        IdIndex agents = _store.ReadDocument<IdIndex>(StoreKeys.AgentIndex) ?? new IdIndex();
        foreach (string agentId in agents.Ids)
        {
            AgentRecord? record = _store.ReadDocument<AgentRecord>(StoreKeys.Agent(agentId));
            if (record is null)
            {
                Log.CatalogEntryMissing(_logger, "agent", agentId);
                continue;
            }

            _agents[agentId] = new AgentState(record);
        }

        Log.CatalogsLoaded(_logger, _agents.Count, _plugins.Count, _traces.Count);
    }

    private static long NowUnixMicros() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    /// <summary>An agent's in-memory state; <see cref="Gate"/> serializes its calls and changes.</summary>
    private sealed class AgentState(AgentRecord record)
    {
        public AgentRecord Record { get; set; } = record;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Loaded from the store on first use.</summary>
        public PluginVariables? Variables { get; set; }
    }

    private sealed class PluginState(PluginRecord record)
    {
        public PluginRecord Record { get; } = record;

        /// <summary>Compiled or loaded from the cache on first use.</summary>
        public PluginModule? Module { get; set; }

        public Lock LoadLock { get; } = new();
    }
}
