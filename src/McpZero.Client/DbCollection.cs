using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>
/// One collection of the daemon. Documents are UTF-8 JSON objects with the collection's
/// snake_case field names.
/// </summary>
/// <remarks>
/// Every method throws <see cref="McpZeroServerException"/> when the daemon rejects the request,
/// for example InvalidArgument for an unknown field, and <see cref="McpZeroConnectionException"/>
/// when the connection fails.
/// </remarks>
public sealed class DbCollection(IMcpZeroClient client, string name)
{
    /// <summary>The collection's name, such as <c>agents</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Inserts one document and returns its id.</summary>
    public async ValueTask<string> InsertAsync(string document, CancellationToken cancellationToken = default)
    {
        string[] ids = await InsertManyAsync([document], cancellationToken).ConfigureAwait(false);
        return ids[0];
    }

    /// <summary>Inserts documents in one batch that the daemon makes durable once; returns their ids in order.</summary>
    /// <remarks>The whole request must fit in the daemon's maximum frame size, so split very large batches.</remarks>
    public async ValueTask<string[]> InsertManyAsync(IReadOnlyList<string> documents, CancellationToken cancellationToken = default)
    {
        var request = new DbInsertRequest { Collection = Name, Documents = [.. documents] };
        DbWriteResponse response = await client.RequestAsync<DbWriteResponse>(request, cancellationToken).ConfigureAwait(false);
        return response.Ids;
    }

    /// <summary>Reads one document with the given fields, or every field when none are given.</summary>
    public async ValueTask<string> GetAsync(string id, IReadOnlyList<string>? fields = null, CancellationToken cancellationToken = default)
    {
        var request = new DbGetRequest { Collection = Name, Id = id, Fields = [.. fields ?? []] };
        DbDocumentsResponse response = await client.RequestAsync<DbDocumentsResponse>(request, cancellationToken).ConfigureAwait(false);
        return response.Documents[0];
    }

    /// <summary>Changes the fields given in <paramref name="changes"/>, a JSON object, on one document.</summary>
    public async ValueTask UpdateAsync(string id, string changes, CancellationToken cancellationToken = default)
    {
        var request = new DbUpdateRequest { Collection = Name, Id = id, Changes = changes };
        await client.RequestAsync<DbWriteResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes one document.</summary>
    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var request = new DbDeleteRequest { Collection = Name, Id = id };
        await client.RequestAsync<DbWriteResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finds up to <paramref name="limit"/> documents that match <paramref name="filter"/>, with only
    /// the <paramref name="projection"/> fields (every field when null).
    /// </summary>
    /// <returns>The documents and whether the daemon read them through an index.</returns>
    public async ValueTask<DbDocumentsResponse> FindAsync(DbFilter? filter = null, IReadOnlyList<string>? projection = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var request = new DbFindRequest
        {
            Collection = Name,
            Conditions = filter?.ToConditions() ?? [],
            Fields = [.. projection ?? []],
            Limit = limit,
        };
        return await client.RequestAsync<DbDocumentsResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a persisted secondary index on <paramref name="field"/>; an existing index is kept.</summary>
    public async ValueTask<DbIndexInfo[]> CreateIndexAsync(string field, CancellationToken cancellationToken = default)
    {
        var request = new DbCreateIndexRequest { Collection = Name, Field = field };
        DbIndexListResponse response = await client.RequestAsync<DbIndexListResponse>(request, cancellationToken).ConfigureAwait(false);
        return response.Indexes;
    }
}
