using System.Security.Cryptography;
using System.Text.RegularExpressions;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    /// <param name="ownerUid">Uid of the caller that spawns the agent, or null when it is unknown. Only admins may use an agent without one.</param>
    public AgentInfo SpawnAgent(string owner, AgentConstraints constraints, Dictionary<string, string> config, IReadOnlyList<string> plugins, uint? ownerUid = null)
    {
        if (string.IsNullOrWhiteSpace(owner))
        {
            throw new AgentException(ErrorCode.InvalidArgument, "agent owner is missing; pass --owner NAME");
        }

        if (!OwnerPattern().IsMatch(owner))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"agent owner '{owner}' is invalid; use 1 to 64 characters without spaces or control characters");
        }

        ValidateConstraints(constraints);
        foreach (string plugin in plugins)
        {
            GetPlugin(plugin);
        }

        var record = new AgentRecord
        {
            AgentId = "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)),
            Owner = owner,
            Constraints = constraints,
            Config = new Dictionary<string, string>(config, StringComparer.Ordinal),
            Plugins = [.. plugins.Distinct(StringComparer.Ordinal)],
            CreatedUnixMicros = NowUnixMicros(),
            OwnerUid = ownerUid,
        };

        lock (_catalogLock)
        {
            _store.UpsertDocument(StoreKeys.Agent(record.AgentId), record);
            _store.UpsertDocument(StoreKeys.AgentIndex, new IdIndex { Ids = [.. _agents.Keys, record.AgentId] });
            _agents[record.AgentId] = new AgentState(record) { Variables = new PluginVariables() };
            OnAgentChanged(null, record);
        }

        Log.AgentSpawned(_logger, record.AgentId, owner);
        return ToInfo(record, variables: null);
    }

    /// <summary>Lists agents in creation order; terminated ones only when asked.</summary>
    public AgentInfo[] ListAgents(bool includeTerminated = true) =>
        [.. _agents.Values
            .Select(state => state.Record)
            .Where(record => includeTerminated || record.Status == AgentStatus.Active)
            .OrderBy(record => record.CreatedUnixMicros)
            .ThenBy(record => record.AgentId, StringComparer.Ordinal)
            .Select(record => ToInfo(record, variables: null))];

    public async Task<AgentInfo> ShowAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        AgentState agent = GetAgent(agentId);
        await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ToInfo(agent.Record, LoadVariables(agent));
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    public async Task<AgentInfo> AttachAsync(string agentId, string pluginName, CancellationToken cancellationToken)
    {
        AgentState agent = GetActiveAgent(agentId);
        GetPlugin(pluginName);

        await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!agent.Record.Plugins.Contains(pluginName))
            {
                AgentRecord updated = Clone(agent.Record);
                updated.Plugins.Add(pluginName);
                _store.UpsertDocument(StoreKeys.Agent(agentId), updated);
                OnAgentChanged(agent.Record, updated);
                agent.Record = updated;
            }

            Log.PluginAttached(_logger, agentId, pluginName);
            return ToInfo(agent.Record, variables: null);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    /// <summary>Stores the agent's variables, config, constraints and plugins under a new snapshot id.</summary>
    public async Task<SnapshotResponse> SnapshotAsync(string agentId, CancellationToken cancellationToken)
    {
        AgentState agent = GetActiveAgent(agentId);
        await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PluginVariables variables = LoadVariables(agent);
            var snapshot = new SnapshotRecord
            {
                SnapshotId = "s-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
                AgentId = agentId,
                CreatedUnixMicros = NowUnixMicros(),
                Config = new Dictionary<string, string>(agent.Record.Config, StringComparer.Ordinal),
                Plugins = [.. agent.Record.Plugins],
                Constraints = agent.Record.Constraints,
            };

            lock (_snapshotLock)
            {
                snapshot.VariableBlobs = _snapshotBlobs.Add(variables.Snapshot().ToDictionary(StringComparer.Ordinal));
                _store.UpsertDocument(StoreKeys.Snapshot(snapshot.SnapshotId), snapshot, waitForCommit: false);

                AgentRecord updated = Clone(agent.Record);
                updated.Snapshots.Add(snapshot.SnapshotId);
                _store.UpsertDocument(StoreKeys.Agent(agentId), updated);
                OnAgentChanged(agent.Record, updated);
                agent.Record = updated;
            }

            Log.SnapshotTaken(_logger, agentId, snapshot.SnapshotId, snapshot.VariableBlobs.Count);
            return new SnapshotResponse
            {
                SnapshotId = snapshot.SnapshotId,
                AgentId = agentId,
                CreatedUnixMicros = snapshot.CreatedUnixMicros,
                Variables = snapshot.VariableBlobs.Count,
            };
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    /// <summary>
    /// Puts the snapshot's agent back into the snapshot's state: variables, config, constraints and
    /// plugins. A terminated agent becomes active again.
    /// </summary>
    public async Task<AgentInfo> RecoverAsync(string snapshotId, CancellationToken cancellationToken)
    {
        SnapshotRecord snapshot = _store.ReadDocument<SnapshotRecord>(StoreKeys.Snapshot(snapshotId))
            ?? throw new AgentException(ErrorCode.SnapshotNotFound, $"snapshot '{snapshotId}' not found; `mcpzero agent show AGENT` lists an agent's snapshots");
        AgentState agent = GetAgent(snapshot.AgentId);

        foreach (string plugin in snapshot.Plugins)
        {
            if (!TryResolvePlugin(plugin, out _))
            {
                throw new AgentException(
                    ErrorCode.PluginNotFound,
                    $"snapshot '{snapshotId}' needs plugin '{plugin}', which is no longer installed; install it again first");
            }
        }

        await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Dictionary<string, byte[]> values;
            lock (_snapshotLock)
            {
                // MemoryPack reads a snapshot written before VariableBlobs existed with it null.
                values = snapshot.VariableBlobs is { Count: > 0 } blobs
                    ? _snapshotBlobs.Load(blobs)
                    : new Dictionary<string, byte[]>(snapshot.Variables ?? [], StringComparer.Ordinal);
            }

            var variables = new VariableSet { Values = values };
            _store.UpsertDocument(StoreKeys.Variables(agent.Record.AgentId), variables);

            AgentRecord updated = Clone(agent.Record);
            updated.Status = AgentStatus.Active;
            updated.Config = new Dictionary<string, string>(snapshot.Config, StringComparer.Ordinal);
            updated.Plugins = [.. snapshot.Plugins];
            updated.Constraints = snapshot.Constraints;
            _store.UpsertDocument(StoreKeys.Agent(updated.AgentId), updated);
            OnAgentChanged(agent.Record, updated);

            agent.Record = updated;
            agent.Variables = new PluginVariables(variables.Values);
            Log.AgentRecovered(_logger, updated.AgentId, snapshotId);
            return ToInfo(updated, agent.Variables);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    /// <summary>Stops an agent and deletes its variables; its record and snapshots stay for recovery.</summary>
    public async Task TerminateAsync(string agentId, CancellationToken cancellationToken)
    {
        AgentState agent = GetActiveAgent(agentId);
        await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AgentRecord updated = Clone(agent.Record);
            updated.Status = AgentStatus.Terminated;
            _store.UpsertDocument(StoreKeys.Agent(agentId), updated);
            _store.Delete(StoreKeys.Variables(agentId));
            OnAgentChanged(agent.Record, updated);
            agent.Record = updated;
            agent.Variables = new PluginVariables();
        }
        finally
        {
            agent.Gate.Release();
        }

        Log.AgentTerminated(_logger, agentId);
    }

    [GeneratedRegex(@"^[^\s\p{C}]{1,64}$")]
    private static partial Regex OwnerPattern();

    private AgentState GetAgent(string agentId) =>
        _agents.TryGetValue(agentId, out AgentState? agent)
            ? agent
            : throw new AgentException(ErrorCode.AgentNotFound, $"agent '{agentId}' not found; list agents with `mcpzero agent list`");

    private AgentState GetActiveAgent(string agentId)
    {
        AgentState agent = GetAgent(agentId);
        if (agent.Record.Status != AgentStatus.Active)
        {
            throw new AgentException(
                ErrorCode.Conflict,
                $"agent '{agentId}' is terminated; recover it from one of its snapshots with `mcpzero agent recover SNAPSHOT`");
        }

        return agent;
    }

    /// <summary>Returns the agent's variables, reading them from the store on first use. Call under the agent's gate.</summary>
    private PluginVariables LoadVariables(AgentState agent)
    {
        if (agent.Variables is null)
        {
            VariableSet? stored = _store.ReadDocument<VariableSet>(StoreKeys.Variables(agent.Record.AgentId));
            agent.Variables = stored is null ? new PluginVariables() : new PluginVariables(stored.Values);
        }

        return agent.Variables;
    }

    private static void ValidateConstraints(AgentConstraints constraints)
    {
        if (constraints.MemoryMb < 0 || constraints.MemoryMb > 4096)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"memory_mb {constraints.MemoryMb} is out of range; use 1 to 4096, or 0 for the default");
        }

        if (constraints.TimeoutMs < 0 || constraints.TimeoutMs > 600_000)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"timeout_ms {constraints.TimeoutMs} is out of range; use 1 to 600000, or 0 for the default");
        }

        if (constraints.Fuel < 0)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"fuel {constraints.Fuel} is negative; use a positive number, or 0 for the default");
        }
    }

    // Records are replaced, never changed in place, so readers without the gate see whole states.
    private static AgentRecord Clone(AgentRecord record) => new()
    {
        AgentId = record.AgentId,
        Owner = record.Owner,
        Status = record.Status,
        Constraints = record.Constraints,
        Config = record.Config,
        Plugins = [.. record.Plugins],
        CreatedUnixMicros = record.CreatedUnixMicros,
        Executions = record.Executions,
        Snapshots = [.. record.Snapshots],
        OwnerUid = record.OwnerUid,
    };

    private static AgentInfo ToInfo(AgentRecord record, PluginVariables? variables) => new()
    {
        AgentId = record.AgentId,
        Owner = record.Owner,
        Status = record.Status,
        Constraints = record.Constraints,
        Config = record.Config,
        Plugins = [.. record.Plugins],
        CreatedUnixMicros = record.CreatedUnixMicros,
        Executions = record.Executions,
        Snapshots = [.. record.Snapshots],
        Variables = variables is null
            ? []
            : [.. variables.Snapshot()
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => new VariableInfo { Name = pair.Key, SizeBytes = pair.Value.Length })],
        OwnerUid = record.OwnerUid is uint uid ? uid : -1,
    };
}
