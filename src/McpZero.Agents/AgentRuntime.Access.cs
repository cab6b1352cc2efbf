namespace McpZero.Agents;

/// <summary>Who owns an agent: the uid stored with it and, while a pool agent is leased, the lease owner.</summary>
/// <param name="OwnerUid">Uid stored with the agent; null for an agent stored before uids were recorded.</param>
/// <param name="LeaseOwner">The connection that leases the agent from a pool, or null when it is not leased.</param>
public readonly record struct AgentOwnership(uint? OwnerUid, long? LeaseOwner);

// Lookups for access control. They read the in-memory catalog and take no agent gate, so a
// decision may race with a change of ownership; a request denied or allowed that way is still
// checked against the agent's state by its handler.
public sealed partial class AgentRuntime
{
    /// <summary>Reads the ownership of an agent; false when no agent has that id.</summary>
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
