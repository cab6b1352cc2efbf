namespace McpZero.Agents.Pools;

/// <summary>
/// The bookkeeping of one agent pool: which agents are ready, which are leased and to which connection,
/// how many are being spawned or reset, and who waits for a lease.
/// </summary>
/// <remarks>
/// Not thread-safe: the caller holds one lock around every call. The ledger never spawns, resets
/// or deletes an agent itself. It returns a decision and the caller does the work outside the lock.
/// </remarks>
internal sealed class PoolLedger
{
    private readonly LinkedList<string> _ready = new();
    private readonly Dictionary<string, long> _leased = new(StringComparer.Ordinal);
    private readonly HashSet<string> _returning = new(StringComparer.Ordinal);
    private readonly LinkedList<PoolWaiter> _waiters = new();
    private int _spawningForLease;
    private int _refilling;

    /// <param name="size">Ready agents the pool keeps.</param>
    /// <param name="max">Maximum agents of the pool at once, ready, leased, returning or being spawned, or 0 for no maximum.</param>
    public PoolLedger(int size, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        Size = size;
        Max = max;
    }

    public int Size { get; }

    public int Max { get; }

    public int ReadyCount => _ready.Count;

    public int LeasedCount => _leased.Count;

    public int WaiterCount => _waiters.Count;

    /// <summary>Agents that exist or are being spawned for this pool, which <see cref="Max"/> caps.</summary>
    public int Total => _ready.Count + _leased.Count + _returning.Count + _spawningForLease + _refilling;

    /// <summary>Agents on their way to the ready set: spawned for a refill, or being reset after a return.</summary>
    public int PendingCount => _refilling + _returning.Count;

    public IEnumerable<string> ReadyAgents => _ready;

    public IEnumerable<string> LeasedAgents => _leased.Keys;

    /// <summary>Every agent the pool owns now: ready, leased and returning.</summary>
    public IEnumerable<string> Members => _ready.Concat(_leased.Keys).Concat(_returning);

    private bool UnderMax => Max == 0 || Total < Max;

    /// <summary>
    /// Leases the oldest ready agent to <paramref name="owner"/>, or reserves a spawn when none is
    /// ready and the pool is under its maximum.
    /// </summary>
    public LeaseDecision TryLease(long owner, out string? agentId)
    {
        agentId = null;
        if (_ready.First is { } first)
        {
            _ready.RemoveFirst();
            agentId = first.Value;
            _leased[agentId] = owner;
            return LeaseDecision.Leased;
        }

        if (UnderMax)
        {
            _spawningForLease++;
            return LeaseDecision.Spawn;
        }

        return LeaseDecision.Full;
    }

    /// <summary>Finds the lease owner of <paramref name="agentId"/>. Returns false when the agent is not leased.</summary>
    public bool TryGetLeaseOwner(string agentId, out long owner) => _leased.TryGetValue(agentId, out owner);

    /// <summary>Records the agent spawned for a reservation from <see cref="TryLease"/> as leased to <paramref name="owner"/>.</summary>
    public void LeaseSpawned(string agentId, long owner)
    {
        ReleaseSpawnReservation();
        _leased[agentId] = owner;
    }

    /// <summary>Gives back a reservation from <see cref="TryLease"/> whose spawn failed.</summary>
    public void CancelLeaseSpawn()
    {
        ReleaseSpawnReservation();
        WakeFirstWaiter();
    }

    /// <summary>Adds an existing agent, for example one found in the store at start-up, as ready.</summary>
    public void AddReady(string agentId) => MakeReady(agentId);

    /// <summary>Reserves one background spawn when the ready agents plus refills in progress are below <see cref="Size"/>.</summary>
    public bool TryReserveRefill()
    {
        if (_ready.Count + _refilling >= Size || !UnderMax)
        {
            return false;
        }

        _refilling++;
        return true;
    }

    /// <summary>Adds an agent spawned for a refill reservation: to the first waiter, or to the ready set.</summary>
    public void CompleteRefill(string agentId)
    {
        if (_refilling == 0)
        {
            throw new InvalidOperationException("no refill is reserved");
        }

        _refilling--;
        MakeReady(agentId);
    }

    public void CancelRefill()
    {
        if (_refilling == 0)
        {
            throw new InvalidOperationException("no refill is reserved");
        }

        _refilling--;
        WakeFirstWaiter();
    }

    /// <summary>
    /// Starts returning a leased agent: it leaves the leased set and stays counted until
    /// <see cref="CompleteReturn"/> or <see cref="Forget"/>.
    /// </summary>
    /// <returns>False when the agent is not leased from this pool.</returns>
    public bool TryBeginReturn(string agentId)
    {
        if (!_leased.Remove(agentId))
        {
            return false;
        }

        _returning.Add(agentId);
        return true;
    }

    /// <summary>Starts returning every agent leased to <paramref name="owner"/>, and returns their ids.</summary>
    public List<string> BeginReturnAll(long owner)
    {
        var agents = new List<string>();
        foreach (KeyValuePair<string, long> lease in _leased)
        {
            if (lease.Value == owner)
            {
                agents.Add(lease.Key);
            }
        }

        foreach (string agentId in agents)
        {
            TryBeginReturn(agentId);
        }

        return agents;
    }

    /// <summary>
    /// Finishes a return after the agent was reset: hands it to the first waiter, keeps it ready,
    /// or, when <see cref="Size"/> agents are ready already, returns <see cref="ReturnDecision.Surplus"/> so the caller deletes it.
    /// </summary>
    public ReturnDecision CompleteReturn(string agentId)
    {
        if (!_returning.Remove(agentId))
        {
            throw new InvalidOperationException($"agent '{agentId}' is not being returned");
        }

        if (_waiters.Count == 0 && _ready.Count >= Size)
        {
            return ReturnDecision.Surplus;
        }

        MakeReady(agentId);
        return ReturnDecision.Ready;
    }

    /// <summary>Drops an agent that no longer exists or is terminated, wherever the ledger has it.</summary>
    public void Forget(string agentId)
    {
        bool removed = _returning.Remove(agentId) | _leased.Remove(agentId) | _ready.Remove(agentId);
        if (removed)
        {
            WakeFirstWaiter();
        }
    }

    /// <summary>Queues a waiter for <paramref name="owner"/>. <see cref="PoolWaiter"/> describes how it completes.</summary>
    public PoolWaiter AddWaiter(long owner)
    {
        var waiter = new PoolWaiter(owner);
        waiter.Node = _waiters.AddLast(waiter);
        return waiter;
    }

    /// <summary>Removes a waiter that gave up.</summary>
    /// <returns>False when the waiter was completed first, so its result must be used.</returns>
    public bool RemoveWaiter(PoolWaiter waiter)
    {
        if (waiter.Node?.List is null)
        {
            return false;
        }

        _waiters.Remove(waiter.Node);
        waiter.Node = null;
        return true;
    }

    /// <summary>Completes every waiter with no agent, for example because the pool is being removed.</summary>
    public void WakeAllWaiters()
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            first.Value.Node = null;
            first.Value.Completion.TrySetResult(null);
        }
    }

    private void MakeReady(string agentId)
    {
        if (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            PoolWaiter waiter = first.Value;
            waiter.Node = null;
            _leased[agentId] = waiter.Owner;
            waiter.Completion.TrySetResult(agentId);
            return;
        }

        _ready.AddLast(agentId);
    }

    // Capacity was freed, so the first waiter may now spawn an agent of its own.
    private void WakeFirstWaiter()
    {
        if (_waiters.First is { } first && UnderMax)
        {
            _waiters.RemoveFirst();
            first.Value.Node = null;
            first.Value.Completion.TrySetResult(null);
        }
    }

    private void ReleaseSpawnReservation()
    {
        if (_spawningForLease == 0)
        {
            throw new InvalidOperationException("no spawn is reserved");
        }

        _spawningForLease--;
    }
}

internal enum LeaseDecision
{
    /// <summary>A ready agent is now leased.</summary>
    Leased,

    /// <summary>No agent is ready and a spawn is reserved. Spawn one and call <see cref="PoolLedger.LeaseSpawned"/>.</summary>
    Spawn,

    /// <summary>No agent is ready and the pool is at its maximum.</summary>
    Full,
}

internal enum ReturnDecision
{
    /// <summary>The agent is ready again, or was handed to a waiter.</summary>
    Ready,

    /// <summary>The pool already has its size in ready agents, so the caller deletes this one.</summary>
    Surplus,
}

/// <summary>
/// A lease request that found the pool full. Its completion gets an agent id when a returned or
/// refilled agent was leased to it, or null when capacity was freed and it should try again.
/// </summary>
internal sealed class PoolWaiter(long owner)
{
    public long Owner { get; } = owner;

    public TaskCompletionSource<string?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<PoolWaiter>? Node { get; set; }
}
