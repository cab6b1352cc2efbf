using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using McpZero.Agents.Caching;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Storage;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    /// <summary>
    /// Runs one export of one of the agent's plugins, persists the variables it changed and appends
    /// a trace record, whatever the outcome.
    /// </summary>
    /// <remarks>
    /// Under <see cref="StateCommitPolicy.Sync"/> the result, or the error of a failed call, is
    /// returned only after the variables, the execution count and the trace record are on disk.
    /// </remarks>
    /// <param name="cancellationToken">Abandons waiting for a worker or the agent. A call that already runs continues.</param>
    /// <param name="callCancellation">Also stops a running call, which then fails with <see cref="ErrorCode.Cancelled"/> and is traced.</param>
    /// <exception cref="AgentException">The call was rejected or failed; a failed call is traced too.</exception>
    public async Task<ExecResponse> ExecAsync(string agentId, string method, byte[] input, string? pluginName, CancellationToken cancellationToken, CancellationToken callCancellation = default)
    {
        AgentState agent = GetActiveAgent(agentId);
        if (_stopping.IsCancellationRequested)
        {
            throw new AgentException(ErrorCode.ShuttingDown, "the daemon is shutting down; retry once it has restarted");
        }

        if (input.Length > _options.MaxInputBytes)
        {
            throw new AgentException(
                ErrorCode.InputTooLarge,
                $"input of {input.Length} bytes exceeds the exec input limit of {_options.MaxInputBytes} bytes");
        }

        ExecResponse? response = null;
        AgentException? failure = null;
        if (_governor is not null)
        {
            try
            {
                response = await _governor.RunAsync(agentId, input.Length, remaining => ExecuteUnderGate(agent, method, input, pluginName, remaining, callCancellation), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (AgentException exception)
            {
                failure = exception;
            }
        }
        else
        {
            Interlocked.Increment(ref _executionsQueued);
            try
            {
                await _executionSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _executionsQueued);
            }

            Interlocked.Increment(ref _executionsRunning);
            try
            {
                await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    response = Execute(agent, method, input, pluginName, _options.Governance.QueueTimeout, callCancellation);
                }
                catch (AgentException exception)
                {
                    failure = exception;
                }
                finally
                {
                    agent.Gate.Release();
                }
            }
            finally
            {
                Interlocked.Decrement(ref _executionsRunning);
                _executionSlots.Release();
            }
        }

        // The gate is already free: the next call on this agent may run while this one waits, and
        // its own reply waits for a commit that covers this call's writes too. The wait ignores
        // cancellation, because the writes are made and a shutdown must still report the call's result.
        await WaitForDurableAsync(CancellationToken.None).ConfigureAwait(false);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return response!;
    }

    /// <summary>
    /// Waits under <see cref="StateCommitPolicy.Sync"/> until the state writes and trace records made
    /// so far are on disk. Concurrent callers share the commits.
    /// </summary>
    private async ValueTask WaitForDurableAsync(CancellationToken cancellationToken)
    {
        if (_options.StateCommitPolicy != StateCommitPolicy.Sync)
        {
            return;
        }

        // NOTE: the two logs commit independently, so a crash between the two commits can keep the
        // variables of an unacknowledged call without its trace record (seen in kill -9 stress runs).
        ValueTask state = _store.WaitForCommitAsync(cancellationToken);
        await _traceCommit.WaitAsync(cancellationToken).ConfigureAwait(false);
        await state.ConfigureAwait(false);
    }

    // Runs in a governor slot, and the governor runs one execution per agent at a time. The gate still matters,
    // because snapshots, recovery and termination take it too.
    private ExecResponse ExecuteUnderGate(AgentState agent, string method, byte[] input, string? pluginName, TimeSpan memoryWait, CancellationToken callCancellation)
    {
        agent.Gate.Wait();
        try
        {
            return Execute(agent, method, input, pluginName, memoryWait, callCancellation);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    // Runs under the agent's gate and an execution slot. A new plugin instance waits up to memoryWait
    // for the memory budget.
    private ExecResponse Execute(AgentState agent, string method, byte[] input, string? pluginName, TimeSpan memoryWait, CancellationToken callCancellation)
    {
        // The agent may have been terminated or deleted while this call waited for the gate.
        GetActiveAgent(agent.Record.AgentId);
        AgentRecord record = agent.Record;
        PluginState plugin = ResolvePlugin(record, method, pluginName);
        Dictionary<string, string> config = EffectiveConfig(plugin.Record, record);
        long lookupStarted = Stopwatch.GetTimestamp();
        byte[] inputSha256 = SHA256.HashData(input);
        ResultKey? cacheKey = GetResultCacheKey(plugin.Record, method, config, inputSha256);
        if (cacheKey is { } key && _resultCache!.TryGet(key, out byte[] cachedOutput))
        {
            return ExecuteFromCache(agent, PluginId(plugin.Record), method, inputSha256, cachedOutput, lookupStarted);
        }

        PluginModule module = GetModule(plugin);
        PluginVariables variables = LoadVariables(agent);

        // A caller's cancellation stops the call as a shutdown does. The linked source exists only
        // for callers that can cancel.
        using CancellationTokenSource? linkedCancellation = callCancellation.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, callCancellation)
            : null;
        var call = new PluginCall
        {
            AgentId = record.AgentId,
            PluginName = PluginId(plugin.Record),
            Method = method,
            Input = input,
            Config = config,
            Variables = variables,
            Limits = EffectiveLimits(plugin.Record, record.Constraints),
            Log = _pluginLogger,
            Cancellation = linkedCancellation?.Token ?? _stopping.Token,
            MemoryWaitDeadline = Stopwatch.GetTimestamp() + (long)(memoryWait.TotalSeconds * Stopwatch.Frequency),
            AllowedHosts = plugin.Record.AllowedHosts,
            AllowedPaths = PathGrants(plugin.Record),
            HostServices = HostServices,
        };

        long started = Stopwatch.GetTimestamp();
        ErrorCode status = ErrorCode.Ok;
        byte[] output = [];
        PluginCallResult result = default;
        string? failure = null;
        try
        {
            result = CallPlugin(plugin, module, call);
            output = result.Output;
            if (cacheKey is { } successKey)
            {
                _resultCache!.Add(successKey, output);
            }
        }
        catch (PluginException ex)
        {
            status = ToErrorCode(ex.Kind);
            failure = ex.Message;
            if (ex.Kind == PluginErrorKind.Cancelled && callCancellation.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                status = ErrorCode.Cancelled;
                failure = $"{ex.Message}: the client cancelled the request";
            }
        }

        long durationMicros = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        _options.ExecutionObserver?.Executed(PluginId(plugin.Record), method, status, durationMicros);
        PersistVariables(record.AgentId, variables);

        TraceStatus traceStatus = status == ErrorCode.Ok ? TraceStatus.Ok : TraceStatus.Failed;
        TraceRecord trace = RecordExecution(agent, PluginId(plugin.Record), method, inputSha256, output, traceStatus, status, durationMicros);

        if (failure is not null)
        {
            Log.ExecutionFailed(_logger, record.AgentId, PluginId(plugin.Record), method, status, failure);
            throw new AgentException(status, failure);
        }

        return new ExecResponse
        {
            Output = output,
            Plugin = PluginId(plugin.Record),
            DurationMicros = durationMicros,
            FuelConsumed = result.FuelConsumed,
            TraceSequence = trace.Sequence,
        };
    }

    // Appends the trace record of one execution and counts it in the agent's record.
    private TraceRecord RecordExecution(AgentState agent, string plugin, string method, byte[] inputSha256, byte[] output, TraceStatus traceStatus, ErrorCode status, long durationMicros)
    {
        AgentRecord record = agent.Record;
        TraceRecord trace = _traces.Append(new TraceRecordDraft
        {
            TimestampUnixMicros = NowUnixMicros(),
            AgentId = record.AgentId,
            Plugin = plugin,
            Method = method,
            InputSha256 = inputSha256,
            OutputSha256 = SHA256.HashData(output),
            Status = traceStatus,
            ErrorCode = (ushort)status,
            DurationMicros = durationMicros,
        });

        Interlocked.Increment(ref _executions);
        AgentRecord updated = Clone(record);
        updated.Executions++;
        _store.UpsertDocument(StoreKeys.Agent(record.AgentId), updated, waitForCommit: false);
        agent.Record = updated;
        return trace;
    }

    // The engine unloads a module that stays idle, and a call that meets an unloaded module throws
    // before it runs anything, so loading the module again and repeating the call is safe.
    private PluginCallResult CallPlugin(PluginState plugin, PluginModule module, PluginCall call)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return _engine.Call(module, call);
            }
            catch (ObjectDisposedException) when (module.IsUnloaded && attempt < 3)
            {
                module = GetModule(plugin);
            }
        }
    }

    // The agent's plugin list holds references (NAME or NAME@VERSION), resolved here at the start of
    // each call, so a call keeps the module it started with when a newer version is installed.
    private PluginState ResolvePlugin(AgentRecord agent, string method, string? pluginName)
    {
        if (pluginName is not null)
        {
            string? reference = agent.Plugins.FirstOrDefault(held => held == pluginName)
                ?? agent.Plugins.FirstOrDefault(held => SplitReference(held).Name == pluginName);
            if (reference is null)
            {
                GetPlugin(pluginName);
                throw new AgentException(
                    ErrorCode.PluginNotFound,
                    $"plugin '{pluginName}' is not attached to agent '{agent.AgentId}'; attach it with `mcpzero agent attach {agent.AgentId} {pluginName}`");
            }

            PluginState named = GetPlugin(reference);
            return named.Record.Exports.Contains(method)
                ? named
                : throw new AgentException(
                    ErrorCode.MethodNotFound,
                    $"plugin '{PluginId(named.Record)}' has no export '{method}'; its exports are: {string.Join(", ", named.Record.Exports)}");
        }

        if (agent.Plugins.Count == 0)
        {
            throw new AgentException(
                ErrorCode.MethodNotFound,
                $"agent '{agent.AgentId}' has no plugins attached; attach one with `mcpzero agent attach {agent.AgentId} PLUGIN`");
        }

        foreach (string reference in agent.Plugins)
        {
            if (TryResolvePlugin(reference, out PluginState candidate) && candidate.Record.Exports.Contains(method))
            {
                return candidate;
            }
        }

        throw new AgentException(
            ErrorCode.MethodNotFound,
            $"no plugin attached to agent '{agent.AgentId}' exports '{method}'; attached: {string.Join(", ", agent.Plugins)}");
    }

    // ExecAsync waits for the commit after the agent's gate is released.
    private void PersistVariables(string agentId, PluginVariables variables)
    {
        if (!variables.TryTakeChanges(out _))
        {
            return;
        }

        var stored = new VariableSet { Values = variables.Snapshot().ToDictionary(StringComparer.Ordinal) };
        _store.UpsertDocument(StoreKeys.Variables(agentId), stored, waitForCommit: false);
    }

    private static Dictionary<string, string> EffectiveConfig(PluginRecord plugin, AgentRecord agent)
    {
        if (agent.Config.Count == 0)
        {
            return plugin.Config;
        }

        var config = new Dictionary<string, string>(plugin.Config, StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in agent.Config)
        {
            config[entry.Key] = entry.Value;
        }

        return config;
    }

    private PluginLimits EffectiveLimits(PluginRecord plugin, AgentConstraints constraints)
    {
        long memoryBytes = (long)(constraints.MemoryMb > 0 ? constraints.MemoryMb : _options.DefaultMemoryMb) * 1024 * 1024;
        if (plugin.MaxPages > 0)
        {
            memoryBytes = Math.Min(memoryBytes, (long)plugin.MaxPages * 65536);
        }

        int timeoutMs = constraints.TimeoutMs > 0 ? constraints.TimeoutMs : _options.DefaultTimeoutMs;
        if (plugin.TimeoutMs > 0)
        {
            timeoutMs = Math.Min(timeoutMs, plugin.TimeoutMs);
        }

        ulong fuel = (ulong)(constraints.Fuel > 0 ? constraints.Fuel : _options.DefaultFuel);
        long variableBytes = plugin.MaxVariableBytes > 0 ? plugin.MaxVariableBytes : _options.DefaultMaxVariableBytes;
        return new PluginLimits(timeoutMs, fuel, memoryBytes, variableBytes, _options.MaxOutputBytes)
        {
            MaxHttpResponseBytes = plugin.MaxHttpResponseBytes > 0 ? plugin.MaxHttpResponseBytes : PluginLimits.DefaultMaxHttpResponseBytes,
        };
    }

    private static ErrorCode ToErrorCode(PluginErrorKind kind) => kind switch
    {
        PluginErrorKind.InvalidModule or PluginErrorKind.Linking => ErrorCode.InvalidModule,
        PluginErrorKind.MissingExport => ErrorCode.MethodNotFound,
        PluginErrorKind.Timeout => ErrorCode.PluginTimeout,
        PluginErrorKind.OutOfFuel => ErrorCode.PluginOutOfFuel,
        PluginErrorKind.OutOfMemory => ErrorCode.PluginOutOfMemory,
        PluginErrorKind.PluginError => ErrorCode.PluginError,
        PluginErrorKind.OutputTooLarge => ErrorCode.PluginOutputTooLarge,
        PluginErrorKind.Cancelled => ErrorCode.ShuttingDown,
        PluginErrorKind.MemoryBudgetExhausted => ErrorCode.ResourceExhausted,
        PluginErrorKind.HttpNotAllowed => ErrorCode.PluginHttpNotAllowed,
        PluginErrorKind.HttpFailed => ErrorCode.PluginHttpFailed,
        _ => ErrorCode.PluginTrap,
    };
}
