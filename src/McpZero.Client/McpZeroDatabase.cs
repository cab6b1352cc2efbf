using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>The daemon's collections: <c>agents</c>, <c>resources</c>, <c>traces</c> and <c>snapshots</c>.</summary>
/// <remarks>A thin view over a <see cref="McpZeroClient"/> or a <see cref="McpZeroConnectionPool"/>; it owns nothing and needs no disposal.</remarks>
public sealed class McpZeroDatabase(IMcpZeroClient client)
{
    /// <summary>The <c>agents</c> collection: one document per agent.</summary>
    public DbCollection Agents => Collection("agents");

    /// <summary>The <c>resources</c> collection: installed plugins, active agents and documents inserted by users.</summary>
    public DbCollection Resources => Collection("resources");

    /// <summary>The <c>traces</c> collection: one document per traced call.</summary>
    public DbCollection Traces => Collection("traces");

    /// <summary>The <c>snapshots</c> collection: one document per agent snapshot.</summary>
    public DbCollection Snapshots => Collection("snapshots");

    /// <summary>Returns a collection by name; the daemon rejects unknown names with InvalidArgument.</summary>
    public DbCollection Collection(string name) => new(client, name);

    /// <summary>Lists every secondary index with its number of values and entries.</summary>
    public async ValueTask<DbIndexInfo[]> ListIndexesAsync(CancellationToken cancellationToken = default)
    {
        DbIndexListResponse response = await client.RequestAsync<DbIndexListResponse>(new DbIndexListRequest(), cancellationToken).ConfigureAwait(false);
        return response.Indexes;
    }
}
