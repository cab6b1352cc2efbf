namespace McpZero.Agents;

/// <summary>Who owns an agent: the uid stored with it and, while a pool agent is leased, the lease owner.</summary>
/// <param name="OwnerUid">Uid stored with the agent, or null for an agent stored before uids were recorded.</param>
/// <param name="LeaseOwner">The connection that leases the agent from a pool, or null when it is not leased.</param>
public readonly record struct AgentOwnership(uint? OwnerUid, long? LeaseOwner);

// Lookups for access control. They read the in-memory catalog without taking the agent's gate.
// Ownership changes only when a pool agent is leased or returned, so a request that races with a
// lease or return is checked against the ownership just before or just after it.
public sealed partial class AgentRuntime
{
    /// <summary>Reads the ownership of an agent. Returns false when no agent has that id.</summary>
    public bool TryGetAgentOwnership(string agentId, out AgentOwnership ownership)
    {
        if (!_agents.TryGetValue(agentId, out AgentState? agent))
        {
            ownership = default;
            return false;
        }

        ownership = new AgentOwnership(agent.Record.OwnerUid, FindLeaseOwner(agentId));
        return true;
    }

    /// <summary>Returns the id of the agent a snapshot was taken of, or null when the snapshot does not exist.</summary>
    public string? FindSnapshotAgent(string snapshotId) =>
        _store.ReadDocument<SnapshotRecord>(StoreKeys.Snapshot(snapshotId))?.AgentId;

    private long? FindLeaseOwner(string agentId)
    {
        foreach (PoolState pool in _pools.Values)
        {
            lock (pool.Lock)
            {
                if (pool.Ledger.TryGetLeaseOwner(agentId, out long owner))
                {
                    return owner;
                }
            }
        }

        return null;
    }
}
