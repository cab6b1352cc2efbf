using McpZero.Protocol.Messages;

namespace McpZero.Client;

public static partial class McpZeroClientExtensions
{
    /// <summary>Takes a snapshot of an agent's variables and returns its id.</summary>
    public static ValueTask<SnapshotResponse> SnapshotAgentAsync(this IMcpZeroClient client, string agentId, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<SnapshotResponse>(new AgentSnapshotRequest { AgentId = agentId }, cancellationToken);

    /// <summary>Puts the snapshot's agent back to the snapshot's variables.</summary>
    public static ValueTask<AgentInfo> RecoverAgentAsync(this IMcpZeroClient client, string snapshotId, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<AgentInfo>(new AgentRecoverRequest { SnapshotId = snapshotId }, cancellationToken);

    /// <summary>Deletes one snapshot and keeps the agent's others.</summary>
    public static async ValueTask DeleteSnapshotAsync(this IMcpZeroClient client, string snapshotId, CancellationToken cancellationToken = default) =>
        await Checked(client).RequestAsync<OkResponse>(new AgentSnapshotDeleteRequest { SnapshotId = snapshotId }, cancellationToken).ConfigureAwait(false);
}
