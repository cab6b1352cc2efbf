using McpZero.Storage;
using McpZero.Agents;
using McpZero.Agents.Governance;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

/// <summary>
/// Opens the agent runtime before the socket listens and flushes and closes it after the socket
/// has stopped, because hosted services stop in the reverse order of their start.
/// </summary>
internal sealed class AgentRuntimeService(ServerOptions options, ServerState state, MemoryPlan memoryPlan, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AgentRuntimeService>();
    private AgentRuntime? _runtime;

    public AgentRuntime Runtime => _runtime ?? throw new InvalidOperationException("the agent runtime has not started");

    /// <summary>Opens the runtime; called before the host starts so that a failure stops start-up early.</summary>
    /// <exception cref="AgentException">The data directory cannot be used.</exception>
    public void Open()
    {
        if (_runtime is not null)
        {
            return;
        }

        _runtime = AgentRuntime.Open(
            new AgentRuntimeOptions
            {
                DataDirectory = options.DataDirectory,
                InstancesPerPlugin = options.InstancesPerPlugin,
                MaxConcurrentExecutions = options.MaxConcurrentExecutions,
                MaxInputBytes = options.MaxInputBytes,
                DefaultTimeoutMs = options.DefaultTimeoutMs,
                DefaultMemoryMb = options.DefaultMemoryMb,
                CheckpointInterval = options.CheckpointInterval,
                ExecutionObserver = state.Metrics,
                MemoryBudgetBytes = memoryPlan.WasmBudgetBytes,
                StoreMemoryBytes = memoryPlan.StoreLogMemoryBytes,
                AdmissionControl = options.AdmissionControl,
                Governance = new ExecutionGovernorOptions
                {
                    CpuBudgetCores = options.CpuBudgetPercent / 100,
                    MaxQueuedPerAgent = options.MaxQueuedPerAgent,
                    MaxQueuedTotal = options.MaxQueuedExecutions,
                    QueueTimeout = options.QueueTimeout,
                    MaxQueuedInputBytes = memoryPlan.QueuedInputBytes,
                },
                Traces = new TraceLogOptions
                {
                    SegmentBytes = options.TraceSegmentBytes,
                    MaxBytes = options.TraceMaxBytes,
                    MaxAge = options.TraceMaxAge,
                },
                StateCommitPolicy = options.StateCommitPolicy,
                StateCommitInterval = options.StateCommitInterval,
                PluginIdleUnloadAfter = options.PluginIdleUnloadAfter,
                ResultCacheBytes = options.ResultCacheBytes,
                TrustedKeysDirectory = options.TrustedKeysDirectory,
                AllowUnsignedPlugins = options.AllowUnsignedPlugins,
            },
            loggerFactory);
        Log.RuntimeOpened(_logger, options.DataDirectory);
        if (options.AllowUnsignedPlugins)
        {
            Log.UnsignedPluginsAllowed(_logger, _runtime.TrustedKeysDirectory);
        }
        else
        {
            Log.PluginSignaturesRequired(_logger, _runtime.TrustedKeysDirectory);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Open();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_runtime is null)
        {
            return;
        }

        // The host cancels cancellationToken when its shutdown timeout ends. A store whose files
        // were removed under the running daemon never completes its checkpoint, so without the
        // bound the process would not exit. The next start recovers from the last commit.
        try
        {
            await _runtime.FlushAsync(CancellationToken.None).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            Log.RuntimeFlushed(_logger);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.RuntimeStopTimedOut(_logger, "the final checkpoint");
            return;
        }
        catch (Exception ex)
        {
            Log.RuntimeFlushFailed(_logger, ex);
        }

        try
        {
            await _runtime.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.RuntimeStopTimedOut(_logger, "closing the state store and trace log");
        }
    }
}
