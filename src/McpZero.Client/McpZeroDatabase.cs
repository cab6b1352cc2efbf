using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>The daemon's collections: <c>agents</c>, <c>resources</c>, <c>traces</c> and <c>snapshots</c>.</summary>
/// <remarks>A thin view over one <see cref="McpZeroClient"/>; it owns nothing and needs no disposal.</remarks>
public sealed class McpZeroDatabase(McpZeroClient client)
{
    public DbCollection Agents => Collection("agents");

    public DbCollection Resources => Collection("resources");

    public DbCollection Traces => Collection("traces");

    public DbCollection Snapshots => Collection("snapshots");

    /// <summary>Returns a collection by name; the daemon rejects unknown names with InvalidArgument.</summary>
    public DbCollection Collection(string name) => new(client, name);

    /// <summary>Lists every secondary index with its number of values and entries.</summary>
    public async Task<DbIndexInfo[]> ListIndexesAsync(CancellationToken cancellationToken = default)
    {
        DbIndexListResponse response = await client.RequestAsync<DbIndexListResponse>(new DbIndexListRequest(), cancellationToken).ConfigureAwait(false);
        return response.Indexes;
    }
}
