using McpZero.Protocol.Messages;

namespace McpZero.Agents.Collections;

/// <summary>Runs a find over one collection: through an index when the plan allows, else by a scan.</summary>
internal static class DocumentFinder
{
    public static DocumentsResult Find<T>(
        CollectionIndexes<T> indexes,
        IReadOnlyList<DbCondition> conditions,
        IReadOnlyList<string> fields,
        int limit,
        Func<string, T?> get,
        Func<IEnumerable<T>> scan)
        where T : class
    {
        List<FieldCondition<T>> filter = indexes.Schema.CompileFilter(conditions);
        IReadOnlyList<FieldDefinition<T>> projection = indexes.Schema.CompileProjection(fields);
        if (indexes.Plan(filter) is not { } plan)
        {
            return Find(indexes.Schema, filter, projection, limit, scan());
        }

        var documents = new List<string>();
        long examined = 0;
        foreach (string id in plan.Index.Lookup(plan.Condition.Values))
        {
            if (get(id) is not { } document)
            {
                continue;
            }

            examined++;
            if (CollectionSchema<T>.Matches(document, filter))
            {
                documents.Add(CollectionSchema<T>.ToJson(document, projection));
                if (documents.Count == limit)
                {
                    break;
                }
            }
        }

        return new DocumentsResult(documents, plan.Index.Field, examined);
    }

    public static DocumentsResult Find<T>(CollectionSchema<T> schema, IReadOnlyList<DbCondition> conditions, IReadOnlyList<string> fields, int limit, IEnumerable<T> scan) =>
        Find(schema, schema.CompileFilter(conditions), schema.CompileProjection(fields), limit, scan);

    public static DocumentsResult Find<T>(CollectionSchema<T> schema, List<FieldCondition<T>> filter, IReadOnlyList<FieldDefinition<T>> projection, int limit, IEnumerable<T> scan)
    {
        var documents = new List<string>();
        long examined = 0;
        foreach (T document in scan)
        {
            examined++;
            if (CollectionSchema<T>.Matches(document, filter))
            {
                documents.Add(CollectionSchema<T>.ToJson(document, projection));
                if (documents.Count == limit)
                {
                    break;
                }
            }
        }

        return new DocumentsResult(documents, null, examined);
    }
}

/// <summary>Documents a find or get returns, the index it read (null for a scan) and how many documents it tested.</summary>
internal sealed record DocumentsResult(List<string> Documents, string? UsedIndex, long Examined)
{
    public DbDocumentsResponse ToResponse() => new() { Documents = [.. Documents], UsedIndex = UsedIndex, Examined = Examined };
}
