using McpZero.Protocol;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    /// <summary>
    /// Deletes a snapshot and the variable values that no other snapshot uses. The agent and its
    /// other snapshots stay as they are.
    /// </summary>
    /// <exception cref="AgentException">The snapshot does not exist.</exception>
    public async Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        SnapshotRecord snapshot = _store.ReadDocument<SnapshotRecord>(StoreKeys.Snapshot(snapshotId))
            ?? throw new AgentException(ErrorCode.SnapshotNotFound, $"snapshot '{snapshotId}' not found; `mcpzero agent show AGENT` lists an agent's snapshots");
        AgentState agent = GetAgent(snapshot.AgentId);

        await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_snapshotLock)
            {
                AgentRecord updated = Clone(agent.Record);
                updated.Snapshots.Remove(snapshotId);
                _store.UpsertDocument(StoreKeys.Agent(updated.AgentId), updated, waitForCommit: false);
                _store.Delete(StoreKeys.Snapshot(snapshotId), waitForCommit: false);
                if (snapshot.VariableBlobs is { } blobs)
                {
                    _snapshotBlobs.Release(blobs);
                }

                OnAgentChanged(agent.Record, updated);
                agent.Record = updated;
            }

            await _store.WaitForCommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            agent.Gate.Release();
        }

        Log.SnapshotDeleted(_logger, snapshot.AgentId, snapshotId);
    }
}
