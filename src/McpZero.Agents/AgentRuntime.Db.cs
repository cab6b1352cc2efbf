using System.Security.Cryptography;
using McpZero.Agents.Collections;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Storage;

namespace McpZero.Agents;

/// <summary>
/// Document operations over the collections <c>agents</c>, <c>resources</c>, <c>traces</c> and
/// <c>snapshots</c>. Agents and snapshots stay governed by the runtime, and traces are append-only.
/// </summary>
public sealed partial class AgentRuntime
{
    public const int MaxFindLimit = 10_000;

    private static readonly string[] ResourceWritableFields = ["resource_id", "resource_type", "owner", "capabilities", "location", "metadata"];
    private static readonly string[] TraceWritableFields =
        ["timestamp_unix_micros", "agent_id", "plugin", "method", "status", "error", "duration_micros", "input_sha256", "output_sha256"];

    /// <summary>
    /// Inserts resources or appends traces in one batch, made durable once before it returns.
    /// Agents and snapshots are created only by the agent commands.
    /// </summary>
    public async Task<DbWriteResponse> InsertDocumentsAsync(string collection, IReadOnlyList<string> documents, CancellationToken cancellationToken)
    {
        if (documents.Count == 0)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"insert into '{collection}' has no documents; give at least one JSON object");
        }

        switch (collection)
        {
            case CollectionNames.Resources:
            {
                List<ResourceRecord> records = [.. documents.Select((json, i) => ParseNewResource(json, i))];
                string[] duplicates = [.. records.GroupBy(record => record.ResourceId).Where(group => group.Count() > 1).Select(group => group.Key)];
                if (duplicates.Length > 0)
                {
                    throw new AgentException(ErrorCode.InvalidArgument, $"resource_id '{duplicates[0]}' appears more than once in the batch; give each document its own id");
                }

                PutNewResources(records);
                await _store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                return new DbWriteResponse { Ids = [.. records.Select(record => record.ResourceId)] };
            }

            case CollectionNames.Traces:
            {
                // Every draft is checked before the first append, so a bad document appends nothing.
                List<TraceRecordDraft> drafts = [.. documents.Select((json, i) => ParseTraceDraft(json, i))];
                IReadOnlyList<TraceRecord> appended = await _traces.AppendBatchAsync(drafts, cancellationToken).ConfigureAwait(false);
                return new DbWriteResponse { Ids = [.. appended.Select(record => record.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))] };
            }

            case CollectionNames.Agents:
                throw new AgentException(ErrorCode.InvalidArgument, "agents cannot be inserted through db; spawn them with `mcpzero agent spawn`");
            case CollectionNames.Snapshots:
                throw new AgentException(ErrorCode.InvalidArgument, "snapshots cannot be inserted through db; take one with `mcpzero agent snapshot AGENT`");
            default:
                throw UnknownCollection(collection);
        }
    }

    /// <summary>Reads one document by id with the requested fields; trace ids are sequence numbers.</summary>
    public DbDocumentsResponse GetDocument(string collection, string id, IReadOnlyList<string> fields)
    {
        string? json = collection switch
        {
            CollectionNames.Agents => Project(Schemas.Agents, fields, _agents.TryGetValue(id, out AgentState? agent) ? ToDocument(agent.Record) : null),
            CollectionNames.Resources => Project(Schemas.Resources, fields, _resources.GetValueOrDefault(id)),
            CollectionNames.Snapshots => Project(Schemas.Snapshots, fields, _store.ReadDocument<SnapshotRecord>(StoreKeys.Snapshot(id))),
            CollectionNames.Traces => Project(Schemas.Traces, fields, ReadTrace(id)),
            _ => throw UnknownCollection(collection),
        };

        return json is null
            ? throw new AgentException(DocumentNotFoundCode(collection), $"document '{id}' not found in '{collection}'; find ids with `mcpzero db find {collection}`")
            : new DocumentsResult([json], null, 1).ToResponse();
    }

    /// <summary>
    /// Changes fields of one document. Resources take any field but resource_id; agents take
    /// <c>metadata</c> and <c>status</c> = <c>terminated</c> (which terminates the agent); traces and
    /// snapshots are rejected.
    /// </summary>
    public async Task<DbWriteResponse> UpdateDocumentAsync(string collection, string id, string changes, CancellationToken cancellationToken)
    {
        switch (collection)
        {
            case CollectionNames.Resources:
                UpdateResource(id, changes);
                await _store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                break;
            case CollectionNames.Agents:
                await UpdateAgentAsync(id, changes, cancellationToken).ConfigureAwait(false);
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                break;
            case CollectionNames.Traces:
                throw new AgentException(ErrorCode.InvalidArgument, "traces are append-only: a trace record cannot be updated, because each record's hash chains it to the next");
            case CollectionNames.Snapshots:
                throw new AgentException(ErrorCode.InvalidArgument, "snapshots cannot be updated; take a new one with `mcpzero agent snapshot AGENT`");
            default:
                throw UnknownCollection(collection);
        }

        return new DbWriteResponse { Ids = [id] };
    }

    /// <summary>Deletes a resource that a client inserted; other collections reject deletes with the command to use.</summary>
    public async Task<DbWriteResponse> DeleteDocumentAsync(string collection, string id, CancellationToken cancellationToken)
    {
        switch (collection)
        {
            case CollectionNames.Resources:
                if (IsRuntimeResource(id))
                {
                    throw new AgentException(
                        ErrorCode.InvalidArgument,
                        $"resource '{id}' is registered by the runtime and cannot be deleted through db; remove the plugin or terminate the agent instead");
                }

                if (!DeleteResource(id))
                {
                    throw new AgentException(ErrorCode.ResourceNotFound, $"resource '{id}' not found; list resources with `mcpzero resource list`");
                }

                await _store.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                return new DbWriteResponse { Ids = [id] };
            case CollectionNames.Traces:
                throw new AgentException(ErrorCode.InvalidArgument, "traces are append-only: a trace record cannot be deleted, because each record's hash chains it to the next");
            case CollectionNames.Agents:
                throw new AgentException(ErrorCode.InvalidArgument, "agents cannot be deleted through db; terminate them with `mcpzero agent terminate AGENT`, which keeps their snapshots");
            case CollectionNames.Snapshots:
                throw new AgentException(ErrorCode.InvalidArgument, "snapshots cannot be deleted through db, because agents and recovery refer to them");
            default:
                throw UnknownCollection(collection);
        }
    }

    /// <summary>
    /// Returns up to <paramref name="limit"/> documents that match every condition. It reads
    /// candidates from an index when a condition is an equality or 'in' on an indexed field.
    /// </summary>
    /// <remarks>When more documents match than the limit, which ones come back is unspecified.</remarks>
    public DbDocumentsResponse FindDocuments(string collection, IReadOnlyList<DbCondition> conditions, IReadOnlyList<string> fields, int limit)
    {
        if (limit <= 0 || limit > MaxFindLimit)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"find limit {limit} is out of range; use 1 to {MaxFindLimit}");
        }

        DocumentsResult result = collection switch
        {
            CollectionNames.Agents => DocumentFinder.Find(
                _agentIndexes, conditions, fields, limit,
                id => _agents.TryGetValue(id, out AgentState? agent) ? ToDocument(agent.Record) : null,
                AgentDocuments),
            CollectionNames.Resources => DocumentFinder.Find(
                _resourceIndexes, conditions, fields, limit, _resources.GetValueOrDefault, () => _resources.Values),
            CollectionNames.Snapshots => DocumentFinder.Find(Schemas.Snapshots, conditions, fields, limit, Snapshots()),
            CollectionNames.Traces => FindTraces(conditions, fields, limit),
            _ => throw UnknownCollection(collection),
        };

        return result.ToResponse();
    }

    /// <summary>Lists the newest matching trace records, oldest first, like `trace list`.</summary>
    private DocumentsResult FindTraces(IReadOnlyList<DbCondition> conditions, IReadOnlyList<string> fields, int limit)
    {
        List<FieldCondition<TraceRecord>> filter = Schemas.Traces.CompileFilter(conditions);
        IReadOnlyList<FieldDefinition<TraceRecord>> projection = Schemas.Traces.CompileProjection(fields);

        // The trace log can skip other agents and records outside a time range while it reads, so an
        // agent_id equality and the time bounds go to it. The other conditions are tested here.
        string? agentId = filter.FirstOrDefault(condition => condition.Field.Name == "agent_id" && condition.Operator == DbOperator.Equal)?.Values[0];
        long since = filter
            .Where(condition => condition.Field.Name == "timestamp_unix_micros" && condition.Operator == DbOperator.GreaterOrEqual)
            .Select(condition => condition.Numbers[0])
            .DefaultIfEmpty(0)
            .Max();
        long until = filter
            .Where(condition => condition.Field.Name == "timestamp_unix_micros" && condition.Operator == DbOperator.Less)
            .Select(condition => condition.Numbers[0] - 1)
            .DefaultIfEmpty(long.MaxValue)
            .Min();

        // NOTE: the trace log offers only a newest-N read, so this reads every record that matches the
        // agent and time range into memory before the other conditions run.
        var matches = new List<TraceRecord>();
        long examined = 0;
        foreach (TraceRecord record in _traces.List(agentId, since, until, int.MaxValue))
        {
            examined++;
            if (CollectionSchema<TraceRecord>.Matches(record, filter))
            {
                matches.Add(record);
            }
        }

        IEnumerable<TraceRecord> newest = matches.Skip(Math.Max(0, matches.Count - limit));
        return new DocumentsResult([.. newest.Select(record => CollectionSchema<TraceRecord>.ToJson(record, projection))], null, examined);
    }

    private TraceRecord? ReadTrace(string id)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long sequence))
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"trace id '{id}' is not a sequence number; trace ids are integers from 0");
        }

        if (sequence >= _traces.Count)
        {
            return null;
        }

        // NOTE: a read by sequence scans the log, because the trace log has no sequence index.
        return _traces.List(null, 0, long.MaxValue, int.MaxValue).FirstOrDefault(record => record.Sequence == sequence);
    }

    private IEnumerable<SnapshotRecord> Snapshots()
    {
        foreach (AgentState agent in _agents.Values.OrderBy(agent => agent.Record.CreatedUnixMicros))
        {
            foreach (string snapshotId in agent.Record.Snapshots)
            {
                if (_store.ReadDocument<SnapshotRecord>(StoreKeys.Snapshot(snapshotId)) is { } snapshot)
                {
                    yield return snapshot;
                }
            }
        }
    }

    private async Task UpdateAgentAsync(string agentId, string changes, CancellationToken cancellationToken)
    {
        using DocumentInput input = DocumentInput.Parse(changes, CollectionNames.Agents, position: null);
        input.RejectOtherFields(
            ["metadata", "status"],
            "agents change through agent commands (spawn, attach, snapshot, recover, terminate); db update takes only metadata and status=terminated");
        string? status = input.String("status");
        if (status is not null && status != AgentStatus.Terminated)
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"agent status '{status}' cannot be set through db; only 'terminated' can, and `mcpzero agent recover SNAPSHOT` makes an agent active again");
        }

        AgentState agent = GetAgent(agentId);
        if (input.Map("metadata") is { } metadata)
        {
            await agent.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                AgentDocument before = ToDocument(agent.Record);
                var stored = new AgentMetadata { Values = metadata };
                _store.UpsertDocument(CollectionKeys.AgentMetadata(agentId), stored);
                _agentMetadata[agentId] = stored;
                _agentIndexes.Apply(before, ToDocument(agent.Record));
            }
            finally
            {
                agent.Gate.Release();
            }
        }

        if (status is not null && agent.Record.Status != AgentStatus.Terminated)
        {
            await TerminateAsync(agentId, cancellationToken).ConfigureAwait(false);
        }
    }

    private void UpdateResource(string resourceId, string changes)
    {
        if (IsRuntimeResource(resourceId))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"resource '{resourceId}' is registered by the runtime and changes only with its plugin or agent");
        }

        using DocumentInput input = DocumentInput.Parse(changes, CollectionNames.Resources, position: null);
        input.RejectOtherFields(ResourceWritableFields);
        if (input.String("resource_id") is { } newId && newId != resourceId)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"resource_id cannot change from '{resourceId}' to '{newId}'; insert a new resource and delete the old one");
        }

        lock (_resourceLock)
        {
            ResourceRecord current = _resources.GetValueOrDefault(resourceId)
                ?? throw new AgentException(ErrorCode.ResourceNotFound, $"resource '{resourceId}' not found; list resources with `mcpzero resource list`");
            var updated = new ResourceRecord
            {
                ResourceId = resourceId,
                ResourceType = input.Has("resource_type") ? input.RequiredString("resource_type") : current.ResourceType,
                Owner = input.Has("owner") ? input.RequiredString("owner") : current.Owner,
                Capabilities = input.StringList("capabilities") ?? current.Capabilities,
                Location = input.String("location") ?? current.Location,
                Metadata = input.Map("metadata") ?? current.Metadata,
                CreatedUnixMicros = current.CreatedUnixMicros,
            };
            PutResource(updated);
        }
    }

    private static ResourceRecord ParseNewResource(string json, int position)
    {
        using DocumentInput input = DocumentInput.Parse(json, CollectionNames.Resources, position);
        input.RejectOtherFields(ResourceWritableFields);
        string resourceId = input.String("resource_id") ?? "r-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        if (IsRuntimeResource(resourceId))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"resource_id '{resourceId}' uses a prefix the runtime keeps for installed plugins and agents; choose another id");
        }

        ValidateName(resourceId, "resource");
        return new ResourceRecord
        {
            ResourceId = resourceId,
            ResourceType = input.RequiredString("resource_type"),
            Owner = input.RequiredString("owner"),
            Capabilities = input.StringList("capabilities") ?? [],
            Location = input.String("location") ?? "",
            Metadata = input.Map("metadata") ?? [],
            CreatedUnixMicros = NowUnixMicros(),
        };
    }

    private static TraceRecordDraft ParseTraceDraft(string json, int position)
    {
        using DocumentInput input = DocumentInput.Parse(json, CollectionNames.Traces, position);
        input.RejectOtherFields(TraceWritableFields, "the trace log assigns sequence, previous_hash and hash; writable fields: " + string.Join(", ", TraceWritableFields));
        string status = input.String("status") ?? "ok";
        if (status is not ("ok" or "failed"))
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"trace status '{status}' in document {position} is invalid; use ok or failed");
        }

        ErrorCode error = ErrorCode.Ok;
        if (input.String("error") is { } errorName && !Enum.TryParse(errorName, ignoreCase: false, out error))
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"trace error '{errorName}' in document {position} is not an error code name such as PluginTrap");
        }

        return new TraceRecordDraft
        {
            TimestampUnixMicros = input.Integer("timestamp_unix_micros") ?? 0,
            AgentId = input.RequiredString("agent_id"),
            Plugin = input.String("plugin") ?? "",
            Method = input.RequiredString("method"),
            Status = status == "ok" ? TraceStatus.Ok : TraceStatus.Failed,
            ErrorCode = (ushort)error,
            DurationMicros = input.Integer("duration_micros") ?? 0,
            InputSha256 = ParseHash(input.String("input_sha256"), "input_sha256", position),
            OutputSha256 = ParseHash(input.String("output_sha256"), "output_sha256", position),
        };
    }

    private static byte[]? ParseHash(string? hex, string field, int position)
    {
        if (hex is null)
        {
            return null;
        }

        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"{field} in document {position} must be 64 hexadecimal digits (a SHA-256)");
        }

        return Convert.FromHexString(hex);
    }

    private static string? Project<T>(CollectionSchema<T> schema, IReadOnlyList<string> fields, T? document)
        where T : class
    {
        IReadOnlyList<FieldDefinition<T>> projection = schema.CompileProjection(fields);
        return document is null ? null : CollectionSchema<T>.ToJson(document, projection);
    }

    private static ErrorCode DocumentNotFoundCode(string collection) => collection switch
    {
        CollectionNames.Agents => ErrorCode.AgentNotFound,
        CollectionNames.Snapshots => ErrorCode.SnapshotNotFound,
        CollectionNames.Resources => ErrorCode.ResourceNotFound,
        _ => ErrorCode.DocumentNotFound,
    };
}
