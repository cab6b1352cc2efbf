using System.Collections.Concurrent;
using McpZero.Agents.Pools;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

// Pool definitions: create, list, show, remove, and loading them at start-up.
public sealed partial class AgentRuntime
{
    /// <summary>Upper bound of a pool's size and maximum, a sanity limit against typing errors rather than a measured capacity.</summary>
    public const int MaxPoolAgents = 1024;

    private readonly ConcurrentDictionary<string, PoolState> _pools = new(StringComparer.Ordinal);

    // Serializes pool creation and removal and the pool index document.
    private readonly Lock _poolCatalogLock = new();
    private volatile bool _poolsStopped;

    public int PoolCount => _pools.Count;

    /// <summary>Stores a pool definition and spawns its <paramref name="size"/> ready agents before it returns.</summary>
    /// <exception cref="AgentException">A field is invalid, a plugin is not installed, or the name is taken.</exception>
    /// <param name="ownerUid">Uid of the pool's creator, which owns the pool's agents while they are not leased.</param>
    public PoolInfo CreatePool(string name, string owner, AgentConstraints constraints, Dictionary<string, string> config, IReadOnlyList<string> plugins, int size, int max, uint? ownerUid = null)
    {
        ValidatePoolName(name);
        ValidateOwner(owner);
        ValidateConstraints(constraints);
        foreach (string plugin in plugins)
        {
            GetPlugin(plugin);
        }

        if (size < 0 || size > MaxPoolAgents)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"pool size {size} is out of range; use 0 to {MaxPoolAgents}");
        }

        if (max != 0 && (max < Math.Max(size, 1) || max > MaxPoolAgents))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"pool max {max} is out of range; use {Math.Max(size, 1)} (the size) to {MaxPoolAgents}, or 0 for no maximum");
        }

        var record = new PoolRecord
        {
            Name = name,
            Owner = owner,
            Constraints = constraints,
            Config = new Dictionary<string, string>(config, StringComparer.Ordinal),
            Plugins = [.. plugins.Distinct(StringComparer.Ordinal)],
            Size = size,
            Max = max,
            CreatedUnixMicros = NowUnixMicros(),
            OwnerUid = ownerUid,
        };

        PoolState pool;
        lock (_poolCatalogLock)
        {
            if (_pools.ContainsKey(name))
            {
                throw new AgentException(ErrorCode.AlreadyExists, $"pool '{name}' already exists; remove it first with `mcpzero pool remove {name}` or pick another name");
            }

            pool = new PoolState(record);
            _store.UpsertDocument(PoolStoreKeys.Pool(name), record);
            _pools[name] = pool;
            _store.UpsertDocument(PoolStoreKeys.Index, new IdIndex { Ids = [.. _pools.Keys] });
        }

        for (int i = 0; i < size; i++)
        {
            string agentId = SpawnPoolAgent(record);
            lock (pool.Lock)
            {
                pool.Ledger.AddReady(agentId);
                AddPoolMember(pool, agentId);
            }
        }

        Log.PoolCreated(_logger, name, size, max, string.Join(",", record.Plugins));
        return ShowPool(name);
    }

    /// <summary>Lists pools in creation order.</summary>
    public PoolInfo[] ListPools() =>
        [.. _pools.Values
            .OrderBy(pool => pool.Record.CreatedUnixMicros)
            .ThenBy(pool => pool.Record.Name, StringComparer.Ordinal)
            .Select(ToPoolInfo)];

    public PoolInfo ShowPool(string name) => ToPoolInfo(GetPool(name));

    /// <summary>Removes the pool definition and deletes its agents, ready and leased.</summary>
    /// <exception cref="AgentException">
    /// The pool does not exist, or agents are leased and <paramref name="force"/> is false.
    /// </exception>
    public async Task<int> RemovePoolAsync(string name, bool force)
    {
        PoolState pool = GetPool(name);
        List<string> members;
        lock (pool.Lock)
        {
            ThrowIfRemoved(pool);
            if (!force && pool.Ledger.LeasedCount > 0)
            {
                throw new AgentException(
                    ErrorCode.Conflict,
                    $"pool '{name}' has {pool.Ledger.LeasedCount} leased agents ({string.Join(", ", pool.Ledger.LeasedAgents)}); " +
                    $"return them first, or pass --force to delete them while leased");
            }

            pool.Removed = true;
            members = [.. pool.Ledger.Members];
            pool.Ledger.WakeAllWaiters();
        }

        lock (_poolCatalogLock)
        {
            _pools.TryRemove(name, out _);
            _store.Delete(PoolStoreKeys.Pool(name));
            _store.UpsertDocument(PoolStoreKeys.Index, new IdIndex { Ids = [.. _pools.Keys] });
        }

        foreach (string agentId in members)
        {
            await DeleteAgentAsync(agentId).ConfigureAwait(false);
        }

        Log.PoolRemoved(_logger, name, members.Count);
        return members.Count;
    }

    // Runs inside Open, before any request: each member that is still active is reset to the
    // template, because the connections that leased agents before the restart are gone.
    private void LoadPools()
    {
        IdIndex index = _store.ReadDocument<IdIndex>(PoolStoreKeys.Index) ?? new IdIndex();
        foreach (string name in index.Ids)
        {
            PoolRecord? record = _store.ReadDocument<PoolRecord>(PoolStoreKeys.Pool(name));
            if (record is null)
            {
                Log.CatalogEntryMissing(_logger, "pool", name);
                continue;
            }

            var pool = new PoolState(record);
            int deleted = 0;
            foreach (string agentId in record.Agents)
            {
                if (!_agents.TryGetValue(agentId, out AgentState? agent) || agent.Record.Status != AgentStatus.Active)
                {
                    Log.PoolAgentDropped(_logger, name, agentId);
                    continue;
                }

                if (pool.Ledger.ReadyCount >= record.Size)
                {
                    DeleteAgentUnderGate(agent);
                    deleted++;
                    continue;
                }

                ResetToTemplate(agent, record);
                pool.Ledger.AddReady(agentId);
            }

            pool.Record = WithMembers(record, pool.Ledger.Members);
            _store.UpsertDocument(PoolStoreKeys.Pool(name), pool.Record);
            _pools[name] = pool;
            Log.PoolLoaded(_logger, name, pool.Ledger.ReadyCount, deleted);
            ScheduleRefill(pool);
        }
    }

    /// <summary>Stops background refills and waits for those running. Runs before the store closes.</summary>
    private async Task StopPoolRefillsAsync()
    {
        _poolsStopped = true;
        foreach (PoolState pool in _pools.Values)
        {
            Task refill;
            lock (pool.Lock)
            {
                refill = pool.Refill;
            }

            await refill.ConfigureAwait(false);
        }
    }

    private PoolState GetPool(string name) =>
        _pools.TryGetValue(name, out PoolState? pool)
            ? pool
            : throw new AgentException(ErrorCode.PoolNotFound, $"pool '{name}' not found; list pools with `mcpzero pool list`");

    private static void ThrowIfRemoved(PoolState pool)
    {
        if (pool.Removed)
        {
            throw new AgentException(ErrorCode.PoolNotFound, $"pool '{pool.Record.Name}' was removed; list pools with `mcpzero pool list`");
        }
    }

    private static void ValidatePoolName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"pool name '{name}' is invalid; use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    private static void ValidateOwner(string owner)
    {
        if (string.IsNullOrWhiteSpace(owner) || !OwnerPattern().IsMatch(owner))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"pool owner '{owner}' is invalid; use 1 to 64 characters without spaces or control characters");
        }
    }

    private string SpawnPoolAgent(PoolRecord template) =>
        SpawnAgent(template.Owner, template.Constraints, template.Config, template.Plugins, template.OwnerUid).AgentId;

    // Call under the pool's lock. The membership list is what a restart reads to find the pool's agents.
    // NOTE: a crash between an agent's spawn and this write leaves an active agent that no pool lists.
    // That agent stays in `agent list` until it is terminated.
    private void AddPoolMember(PoolState pool, string agentId)
    {
        pool.Record = WithMembers(pool.Record, [.. pool.Record.Agents, agentId]);
        _store.UpsertDocument(PoolStoreKeys.Pool(pool.Record.Name), pool.Record);
    }

    // Call under the pool's lock.
    private void RemovePoolMember(PoolState pool, string agentId)
    {
        if (pool.Removed || !pool.Record.Agents.Contains(agentId))
        {
            return;
        }

        pool.Record = WithMembers(pool.Record, pool.Record.Agents.Where(member => member != agentId));
        _store.UpsertDocument(PoolStoreKeys.Pool(pool.Record.Name), pool.Record);
    }

    /// <summary>
    /// Puts an agent back into the template's state: no variables, and the template's config,
    /// constraints and plugins. Call under the agent's gate.
    /// </summary>
    private void ResetToTemplate(AgentState agent, PoolRecord template)
    {
        string agentId = agent.Record.AgentId;
        _store.Delete(StoreKeys.Variables(agentId));
        agent.Variables = new PluginVariables();

        AgentRecord updated = Clone(agent.Record);
        updated.Config = new Dictionary<string, string>(template.Config, StringComparer.Ordinal);
        updated.Constraints = template.Constraints;
        updated.Plugins = [.. template.Plugins];
        _store.UpsertDocument(StoreKeys.Agent(agentId), updated);
        OnAgentChanged(agent.Record, updated);
        agent.Record = updated;
    }

    /// <summary>Deletes an agent, its variables and its snapshots from the catalog and the store.</summary>
    private async Task DeleteAgentAsync(string agentId)
    {
        if (!_agents.TryGetValue(agentId, out AgentState? agent))
        {
            return;
        }

        await agent.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            DeleteAgentUnderGate(agent);
        }
        finally
        {
            agent.Gate.Release();
        }
    }

    // Calls that waited for the gate see the terminated status and fail instead of running.
    private void DeleteAgentUnderGate(AgentState agent)
    {
        AgentRecord before = agent.Record;
        AgentRecord updated = Clone(agent.Record);
        updated.Status = AgentStatus.Terminated;
        agent.Record = updated;
        agent.Variables = new PluginVariables();

        string agentId = updated.AgentId;
        lock (_catalogLock)
        {
            _agents.TryRemove(agentId, out _);
            _store.Delete(StoreKeys.Agent(agentId));
            _store.Delete(StoreKeys.Variables(agentId));
            foreach (string snapshotId in updated.Snapshots)
            {
                // Snapshot values are shared, reference-counted blobs: release this snapshot's references.
                if (_store.ReadDocument<SnapshotRecord>(StoreKeys.Snapshot(snapshotId))?.VariableBlobs is { } blobs)
                {
                    lock (_snapshotLock)
                    {
                        _snapshotBlobs.Release(blobs);
                    }
                }

                _store.Delete(StoreKeys.Snapshot(snapshotId));
            }

            _store.UpsertDocument(StoreKeys.AgentIndex, new IdIndex { Ids = [.. _agents.Keys] });
            OnAgentDeleted(before);
        }

        Log.PooledAgentDeleted(_logger, agentId);
    }

    private static PoolRecord WithMembers(PoolRecord record, IEnumerable<string> members) => new()
    {
        Name = record.Name,
        Owner = record.Owner,
        Constraints = record.Constraints,
        Config = record.Config,
        Plugins = record.Plugins,
        Size = record.Size,
        Max = record.Max,
        CreatedUnixMicros = record.CreatedUnixMicros,
        Agents = [.. members],
        OwnerUid = record.OwnerUid,
    };

    private static PoolInfo ToPoolInfo(PoolState pool)
    {
        lock (pool.Lock)
        {
            PoolRecord record = pool.Record;
            return new PoolInfo
            {
                Name = record.Name,
                Owner = record.Owner,
                Constraints = record.Constraints,
                Config = record.Config,
                Plugins = [.. record.Plugins],
                Size = record.Size,
                Max = record.Max,
                CreatedUnixMicros = record.CreatedUnixMicros,
                ReadyAgents = [.. pool.Ledger.ReadyAgents],
                LeasedAgents = [.. pool.Ledger.LeasedAgents.Order(StringComparer.Ordinal)],
            };
        }
    }

    /// <summary>A pool's definition and ledger. <see cref="Lock"/> guards both, and <see cref="Removed"/>.</summary>
    private sealed class PoolState(PoolRecord record)
    {
        public PoolRecord Record { get; set; } = record;

        public PoolLedger Ledger { get; } = new(record.Size, record.Max);

        public Lock Lock { get; } = new();

        public bool Removed { get; set; }

        /// <summary>The background refill, or a completed task when none runs.</summary>
        public Task Refill { get; set; } = Task.CompletedTask;

        public bool RefillRunning { get; set; }
    }
}
