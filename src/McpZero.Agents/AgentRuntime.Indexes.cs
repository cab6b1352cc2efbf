using System.Collections.Concurrent;
using McpZero.Agents.Collections;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    // Indexes the server creates by itself, as collection/field.
    private static readonly string[] BuiltInIndexes = ["agents/owner", "agents/status", "resources/capabilities"];

    private readonly ConcurrentDictionary<string, AgentMetadata> _agentMetadata = new(StringComparer.Ordinal);

    // Serializes changes to the index catalog and index creation.
    private readonly Lock _indexCatalogLock = new();
    private CollectionIndexes<AgentDocument> _agentIndexes = null!;
    private CollectionIndexes<ResourceRecord> _resourceIndexes = null!;

    /// <summary>Creates a persisted secondary index on an agents or resources field; an existing one is kept.</summary>
    public DbIndexListResponse CreateIndex(string collection, string field)
    {
        lock (_indexCatalogLock)
        {
            bool created = collection switch
            {
                CollectionNames.Agents => _agentIndexes.Create(field, AgentDocuments()),
                CollectionNames.Resources => CreateResourceIndex(field),
                CollectionNames.Traces or CollectionNames.Snapshots => throw new AgentException(
                    ErrorCode.InvalidArgument,
                    $"collection '{collection}' has no secondary indexes; find on it reads every document. Index agents or resources"),
                _ => throw UnknownCollection(collection),
            };

            if (created)
            {
                IdIndex catalog = ReadIndexCatalog();
                catalog.Ids.Add($"{collection}/{field}");
                _store.UpsertDocument(CollectionKeys.IndexCatalog, catalog, waitForCommit: false);
                Log.IndexCreated(_logger, collection, field);
            }
        }

        return ListIndexes();
    }

    public DbIndexListResponse ListIndexes()
    {
        IEnumerable<Collections.PostingIndex> indexes = _agentIndexes.Indexes.Concat(_resourceIndexes.Indexes);
        return new DbIndexListResponse
        {
            Indexes = [.. indexes
                .OrderBy(index => index.Collection, StringComparer.Ordinal)
                .ThenBy(index => index.Field, StringComparer.Ordinal)
                .Select(index => new DbIndexInfo
                {
                    Collection = index.Collection,
                    Field = index.Field,
                    Values = index.Values,
                    Entries = index.Entries,
                    BuiltIn = BuiltInIndexes.Contains($"{index.Collection}/{index.Field}"),
                })],
        };
    }

    /// <summary>
    /// Loads agent metadata, the resources registry and the secondary indexes, checks each index
    /// against the documents, and registers the plugins and active agents as resources.
    /// </summary>
    private void OpenCollections()
    {
        foreach (string agentId in _agents.Keys)
        {
            if (_store.ReadDocument<AgentMetadata>(CollectionKeys.AgentMetadata(agentId)) is { } metadata)
            {
                _agentMetadata[agentId] = metadata;
            }
        }

        LoadResources();
        _agentIndexes = new CollectionIndexes<AgentDocument>(_store, Schemas.Agents, agent => agent.Record.AgentId);
        _resourceIndexes = new CollectionIndexes<ResourceRecord>(_store, Schemas.Resources, resource => resource.ResourceId);

        lock (_indexCatalogLock)
        {
            IdIndex catalog = ReadIndexCatalog();
            foreach (string builtIn in BuiltInIndexes)
            {
                if (!catalog.Ids.Contains(builtIn))
                {
                    catalog.Ids.Add(builtIn);
                }
            }

            _store.UpsertDocument(CollectionKeys.IndexCatalog, catalog, waitForCommit: false);
            foreach (string entry in catalog.Ids)
            {
                OpenIndex(entry);
            }
        }

        SyncRuntimeResources();
    }

    private void OpenIndex(string entry)
    {
        int slash = entry.IndexOf('/');
        string collection = slash > 0 ? entry[..slash] : entry;
        string field = slash > 0 ? entry[(slash + 1)..] : "";
        try
        {
            bool rebuilt = collection switch
            {
                CollectionNames.Agents => _agentIndexes.Open(field, AgentDocuments()),
                CollectionNames.Resources => _resourceIndexes.Open(field, _resources.Values),
                _ => throw UnknownCollection(collection),
            };
            if (rebuilt)
            {
                Log.IndexRebuilt(_logger, collection, field);
            }
        }
        catch (AgentException ex) when (ex.Code == ErrorCode.InvalidArgument)
        {
            Log.IndexSkipped(_logger, entry, ex.Message);
        }
    }

    private bool CreateResourceIndex(string field)
    {
        lock (_resourceLock)
        {
            return _resourceIndexes.Create(field, _resources.Values);
        }
    }

    private IdIndex ReadIndexCatalog() => _store.ReadDocument<IdIndex>(CollectionKeys.IndexCatalog) ?? new IdIndex();

    /// <summary>
    /// Updates the agent indexes and the agent's resource entry after the runtime stored a changed
    /// agent record. Call it under the agent's gate, or under the catalog lock for a new agent.
    /// </summary>
    private void OnAgentChanged(AgentRecord? before, AgentRecord after)
    {
        AgentMetadata metadata = _agentMetadata.GetValueOrDefault(after.AgentId) ?? new AgentMetadata();
        _agentIndexes.Apply(before is null ? null : new AgentDocument(before, metadata.Values), new AgentDocument(after, metadata.Values));
        SyncAgentResource(after);
    }

    /// <summary>
    /// Removes a deleted agent from the agent indexes, its metadata and the resources registry. Call it under the
    /// catalog lock, after the agent left the catalog.
    /// </summary>
    private void OnAgentDeleted(AgentRecord before)
    {
        AgentMetadata metadata = _agentMetadata.GetValueOrDefault(before.AgentId) ?? new AgentMetadata();
        _agentIndexes.Apply(new AgentDocument(before, metadata.Values), null);
        if (_agentMetadata.TryRemove(before.AgentId, out _))
        {
            _store.Delete(CollectionKeys.AgentMetadata(before.AgentId));
        }

        DeleteResource(AgentResourcePrefix + before.AgentId);
    }

    private IEnumerable<AgentDocument> AgentDocuments() =>
        _agents.Values.Select(state => ToDocument(state.Record));

    private AgentDocument ToDocument(AgentRecord record) =>
        new(record, _agentMetadata.TryGetValue(record.AgentId, out AgentMetadata? metadata) ? metadata.Values : new Dictionary<string, string>());

    private static AgentException UnknownCollection(string collection) =>
        new(ErrorCode.InvalidArgument, $"collection '{collection}' does not exist; use {string.Join(", ", CollectionNames.All)}");
}
