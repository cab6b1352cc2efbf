using McpZero.Protocol.Messages;

namespace McpZero.Client;

public static partial class McpZeroClientExtensions
{
    /// <summary>Lists every agent pool with its ready and leased agents.</summary>
    public static async ValueTask<PoolInfo[]> ListPoolsAsync(this IMcpZeroClient client, CancellationToken cancellationToken = default)
    {
        PoolListResponse list = await Checked(client).RequestAsync<PoolListResponse>(new PoolListRequest(), cancellationToken).ConfigureAwait(false);
        return list.Pools;
    }

    /// <summary>Reads one pool; throws <c>PoolNotFound</c> when there is none of that name.</summary>
    public static ValueTask<PoolInfo> GetPoolAsync(this IMcpZeroClient client, string name, CancellationToken cancellationToken = default) =>
        Checked(client).RequestAsync<PoolInfo>(new PoolShowRequest { Name = name }, cancellationToken);

    /// <summary>
    /// Returns a handle to the existing pool <paramref name="name"/> whose leases belong to one
    /// connection of <paramref name="pool"/>.
    /// </summary>
    /// <remarks>The daemon returns the leased agents when that connection closes.</remarks>
    public static async ValueTask<AgentPool> GetAgentPoolAsync(this McpZeroConnectionPool pool, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        McpZeroClient connection = await pool.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        return new AgentPool(connection, name);
    }
}
