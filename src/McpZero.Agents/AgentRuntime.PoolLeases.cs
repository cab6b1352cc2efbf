using McpZero.Agents.Pools;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

// Pool leases: lease, return, returning a closed connection's leases, and background refills.
public sealed partial class AgentRuntime
{
    /// <summary>Maximum time a lease request may wait for a returned agent, in milliseconds.</summary>
    public const int MaxLeaseWaitMs = 600_000;

    // How long a lease with no wait of its own waits for an agent that is being spawned or reset.
    private static readonly TimeSpan PendingAgentWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Leases a ready agent of the pool to <paramref name="leaseOwner"/>, spawning one when none is
    /// ready and the pool is under its maximum, else waiting up to <paramref name="waitMs"/>
    /// milliseconds for one to be returned.
    /// </summary>
    /// <param name="leaseOwner">The connection that holds the lease; see <see cref="ReturnLeasesAsync"/>.</param>
    /// <exception cref="AgentException">
    /// <see cref="ErrorCode.Busy"/> when no agent became free in time; <see cref="ErrorCode.PoolNotFound"/>
    /// when the pool does not exist or was removed meanwhile.
    /// </exception>
    public async Task<PoolLeaseResponse> LeaseAsync(string poolName, long leaseOwner, int waitMs, CancellationToken cancellationToken)
    {
        if (waitMs < 0 || waitMs > MaxLeaseWaitMs)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"lease wait {waitMs} ms is out of range; use 0 to {MaxLeaseWaitMs}");
        }

        PoolState pool = GetPool(poolName);
        if (_stopping.IsCancellationRequested)
        {
            throw new AgentException(ErrorCode.ShuttingDown, "the daemon is shutting down; retry once it has restarted");
        }

        DateTime deadline = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (true)
        {
            LeaseDecision decision;
            string? agentId;
            PoolWaiter? waiter = null;
            TimeSpan remaining = deadline - DateTime.UtcNow;
            lock (pool.Lock)
            {
                ThrowIfRemoved(pool);
                decision = pool.Ledger.TryLease(leaseOwner, out agentId);
                if (decision == LeaseDecision.Full && (remaining > TimeSpan.Zero || pool.Ledger.PendingCount > 0))
                {
                    // An agent being spawned or reset for the pool is as good as ready, so even a lease
                    // that may not wait for a return waits for it.
                    waiter = pool.Ledger.AddWaiter(leaseOwner);
                    if (remaining <= TimeSpan.Zero)
                    {
                        remaining = PendingAgentWait;
                    }
                }
            }

            if (decision == LeaseDecision.Spawn)
            {
                agentId = await SpawnForLeaseAsync(pool, leaseOwner).ConfigureAwait(false);
            }
            else if (decision == LeaseDecision.Full)
            {
                if (waiter is null)
                {
                    throw PoolBusy(pool, waitMs);
                }

                agentId = await WaitForAgentAsync(pool, waiter, remaining, waitMs, cancellationToken).ConfigureAwait(false);
                if (agentId is null)
                {
                    // Capacity was freed or the pool was removed, so try again.
                    continue;
                }
            }

            if (!DropIfGone(pool, agentId!))
            {
                continue;
            }

            ScheduleRefill(pool);
            Log.PoolAgentLeased(_logger, poolName, agentId!, leaseOwner);
            return new PoolLeaseResponse { Pool = poolName, AgentId = agentId! };
        }
    }

    /// <summary>
    /// Returns a leased agent to its pool, reset to the pool's template unless
    /// <paramref name="keepState"/>. Any connection may return any lease of the pool.
    /// </summary>
    /// <exception cref="AgentException">The pool does not exist, or the agent is not leased from it.</exception>
    public async Task ReturnAsync(string poolName, string agentId, bool keepState)
    {
        PoolState pool = GetPool(poolName);
        lock (pool.Lock)
        {
            ThrowIfRemoved(pool);
            if (!pool.Ledger.TryBeginReturn(agentId))
            {
                throw NotLeased(pool, agentId);
            }
        }

        await FinishReturnAsync(pool, agentId, keepState).ConfigureAwait(false);
        Log.PoolAgentReturned(_logger, poolName, agentId, keepState);
    }

    /// <summary>Returns and resets every agent leased by <paramref name="leaseOwner"/>, whose connection has closed.</summary>
    public async Task ReturnLeasesAsync(long leaseOwner)
    {
        int returned = 0;
        foreach (PoolState pool in _pools.Values)
        {
            List<string> agents;
            lock (pool.Lock)
            {
                if (pool.Removed || pool.Ledger.LeasedCount == 0)
                {
                    continue;
                }

                agents = pool.Ledger.BeginReturnAll(leaseOwner);
            }

            foreach (string agentId in agents)
            {
                try
                {
                    await FinishReturnAsync(pool, agentId, keepState: false).ConfigureAwait(false);
                    returned++;
                }
                catch (AgentException ex)
                {
                    Log.PoolReturnFailed(_logger, pool.Record.Name, agentId, ex);
                }
            }
        }

        if (returned > 0)
        {
            Log.PoolLeasesReleased(_logger, leaseOwner, returned);
        }
    }

    private async Task<string> SpawnForLeaseAsync(PoolState pool, long leaseOwner)
    {
        string agentId;
        try
        {
            agentId = SpawnPoolAgent(pool.Record);
        }
        catch
        {
            lock (pool.Lock)
            {
                pool.Ledger.CancelLeaseSpawn();
            }

            throw;
        }

        bool removed;
        lock (pool.Lock)
        {
            removed = pool.Removed;
            if (removed)
            {
                pool.Ledger.CancelLeaseSpawn();
            }
            else
            {
                pool.Ledger.LeaseSpawned(agentId, leaseOwner);
                AddPoolMember(pool, agentId);
            }
        }

        if (removed)
        {
            // The pool went away during the spawn, so nothing else will delete this agent.
            await DeleteAgentAsync(agentId).ConfigureAwait(false);
            ThrowIfRemoved(pool);
        }

        return agentId;
    }

    private async Task<string?> WaitForAgentAsync(PoolState pool, PoolWaiter waiter, TimeSpan remaining, int waitMs, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Completion.Task.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (pool.Lock)
            {
                if (pool.Ledger.RemoveWaiter(waiter))
                {
                    if (ex is OperationCanceledException)
                    {
                        throw;
                    }

                    throw PoolBusy(pool, waitMs);
                }
            }

            // An agent or a retry reached the waiter at the same moment; a lease taken by a
            // cancelled request is returned when its connection closes.
            return waiter.Completion.Task.Result;
        }
    }

    // Returns false when the leased agent was terminated or deleted while it was ready.
    private bool DropIfGone(PoolState pool, string agentId)
    {
        if (_agents.TryGetValue(agentId, out AgentState? agent) && agent.Record.Status == AgentStatus.Active)
        {
            return true;
        }

        lock (pool.Lock)
        {
            pool.Ledger.Forget(agentId);
            RemovePoolMember(pool, agentId);
        }

        Log.PoolAgentDropped(_logger, pool.Record.Name, agentId);
        return false;
    }

    private async Task FinishReturnAsync(PoolState pool, string agentId, bool keepState)
    {
        bool active = false;
        if (_agents.TryGetValue(agentId, out AgentState? agent))
        {
            // Not cancellable: a reset stopped halfway would leave the agent in neither state.
            await agent.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                active = agent.Record.Status == AgentStatus.Active;
                if (active && !keepState)
                {
                    ResetToTemplate(agent, pool.Record);
                }
            }
            finally
            {
                agent.Gate.Release();
            }
        }

        bool delete = false;
        lock (pool.Lock)
        {
            if (!active)
            {
                pool.Ledger.Forget(agentId);
                RemovePoolMember(pool, agentId);
            }
            else if (pool.Removed)
            {
                pool.Ledger.Forget(agentId);
                delete = true;
            }
            else if (pool.Ledger.CompleteReturn(agentId) == ReturnDecision.Surplus)
            {
                RemovePoolMember(pool, agentId);
                delete = true;
            }
        }

        if (!active)
        {
            Log.PoolAgentDropped(_logger, pool.Record.Name, agentId);
            ScheduleRefill(pool);
        }

        if (delete)
        {
            await DeleteAgentAsync(agentId).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a background task that spawns agents until the pool has its size in ready agents.</summary>
    private void ScheduleRefill(PoolState pool)
    {
        lock (pool.Lock)
        {
            if (pool.RefillRunning || pool.Removed || _poolsStopped)
            {
                return;
            }

            pool.RefillRunning = true;
            pool.Refill = Task.Run(() => RefillAsync(pool));
        }
    }

    private async Task RefillAsync(PoolState pool)
    {
        while (true)
        {
            lock (pool.Lock)
            {
                if (pool.Removed || _poolsStopped || !pool.Ledger.TryReserveRefill())
                {
                    pool.RefillRunning = false;
                    return;
                }
            }

            string agentId;
            try
            {
                agentId = SpawnPoolAgent(pool.Record);
            }
            catch (Exception ex)
            {
                // A background task has no caller to throw to. The next lease schedules another try.
                lock (pool.Lock)
                {
                    pool.Ledger.CancelRefill();
                    pool.RefillRunning = false;
                }

                Log.PoolRefillFailed(_logger, pool.Record.Name, ex);
                return;
            }

            bool removed;
            lock (pool.Lock)
            {
                removed = pool.Removed;
                if (removed)
                {
                    pool.Ledger.CancelRefill();
                }
                else
                {
                    pool.Ledger.CompleteRefill(agentId);
                    AddPoolMember(pool, agentId);
                }
            }

            if (removed)
            {
                await DeleteAgentAsync(agentId).ConfigureAwait(false);
            }
        }
    }

    private static AgentException PoolBusy(PoolState pool, int waitMs)
    {
        PoolRecord record = pool.Record;
        return new AgentException(
            ErrorCode.Busy,
            $"pool '{record.Name}' has no ready agent and all {record.Max} agents of its max are in use; waited {waitMs} ms. " +
            "Return a leased agent, retry with a longer wait, or recreate the pool with a higher --max");
    }

    private AgentException NotLeased(PoolState pool, string agentId)
    {
        string name = pool.Record.Name;
        if (pool.Ledger.ReadyAgents.Contains(agentId))
        {
            return new AgentException(ErrorCode.Conflict, $"agent '{agentId}' is not leased; it is ready in pool '{name}'");
        }

        foreach (PoolState other in _pools.Values)
        {
            if (other != pool && other.Record.Agents.Contains(agentId))
            {
                return new AgentException(ErrorCode.Conflict, $"agent '{agentId}' belongs to pool '{other.Record.Name}', not '{name}'; return it there");
            }
        }

        return new AgentException(ErrorCode.Conflict, $"agent '{agentId}' is not leased from pool '{name}'; `mcpzero pool show {name}` lists its leased agents");
    }
}
