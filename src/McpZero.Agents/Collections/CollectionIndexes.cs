using System.Collections.Concurrent;
using McpZero.Protocol;
using McpZero.Storage;

namespace McpZero.Agents.Collections;

/// <summary>The secondary indexes of one collection, kept up to date with every write to it.</summary>
internal sealed class CollectionIndexes<T>(StateStore store, CollectionSchema<T> schema, Func<T, string> readId)
    where T : class
{
    private readonly ConcurrentDictionary<string, PostingIndex> _indexes = new(StringComparer.Ordinal);

    public CollectionSchema<T> Schema => schema;

    public IEnumerable<PostingIndex> Indexes => _indexes.Values;

    /// <summary>
    /// Loads the stored index on <paramref name="field"/>, or builds it, and checks it against the
    /// documents. A missing or stale index, for example after a crash between a document write and
    /// its index write, is rebuilt from the documents.
    /// </summary>
    /// <returns>True when a stored index did not match the documents and was rebuilt.</returns>
    public bool Open(string field, IEnumerable<T> documents)
    {
        FieldDefinition<T> definition = CheckIndexable(field);
        var index = new PostingIndex(store, schema.Name, field);
        Dictionary<string, HashSet<string>> expected = ComputePostings(definition, documents);
        bool stored = index.Load();
        bool stale = stored && !index.Equals(expected);
        if (!stored || stale)
        {
            index.Rebuild(expected);
        }

        _indexes[field] = index;
        return stale;
    }

    /// <summary>Builds and stores a new index; an index that exists already is kept as it is.</summary>
    /// <returns>False when the index existed.</returns>
    public bool Create(string field, IEnumerable<T> documents)
    {
        FieldDefinition<T> definition = CheckIndexable(field);
        if (_indexes.ContainsKey(field))
        {
            return false;
        }

        // NOTE: a write that runs while the postings are computed can be missing from the new index.
        // The check against the documents at the next start finds and rebuilds such an index.
        var index = new PostingIndex(store, schema.Name, field);
        index.Rebuild(ComputePostings(definition, documents));
        _indexes[field] = index;
        return true;
    }

    /// <summary>Moves one document's index entries from its old state to its new state; null means absent.</summary>
    public void Apply(T? before, T? after)
    {
        foreach ((string field, PostingIndex index) in _indexes)
        {
            FieldDefinition<T> definition = schema.Field(field);
            string id = readId((after ?? before)!);
            index.Update(id, KeysOf(definition, before), KeysOf(definition, after));
        }
    }

    /// <summary>Adds the entries of many new documents with one write per changed posting bucket.</summary>
    public void AddMany(IReadOnlyList<T> documents)
    {
        foreach ((string field, PostingIndex index) in _indexes)
        {
            FieldDefinition<T> definition = schema.Field(field);
            index.AddMany(documents.Select(document => (readId(document), (IReadOnlySet<string>)KeysOf(definition, document))));
        }
    }

    /// <summary>Picks the first equality or 'in' condition on an indexed field, or null to scan.</summary>
    public (PostingIndex Index, FieldCondition<T> Condition)? Plan(List<FieldCondition<T>> conditions)
    {
        foreach (FieldCondition<T> condition in conditions)
        {
            if (condition.CanUseIndex && _indexes.TryGetValue(condition.Field.Name, out PostingIndex? index))
            {
                return (index, condition);
            }
        }

        return null;
    }

    private FieldDefinition<T> CheckIndexable(string field)
    {
        FieldDefinition<T> definition = schema.Field(field);
        if (definition.NotIndexableReason is { } reason)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"field '{field}' of '{schema.Name}' cannot be indexed because {reason}");
        }

        return definition;
    }

    private Dictionary<string, HashSet<string>> ComputePostings(FieldDefinition<T> definition, IEnumerable<T> documents)
    {
        var postings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (T document in documents)
        {
            string id = readId(document);
            foreach (string key in KeysOf(definition, document))
            {
                if (!postings.TryGetValue(key, out HashSet<string>? ids))
                {
                    ids = new HashSet<string>(StringComparer.Ordinal);
                    postings[key] = ids;
                }

                ids.Add(id);
            }
        }

        return postings;
    }

    private static HashSet<string> KeysOf(FieldDefinition<T> definition, T? document)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (document is not null)
        {
            definition.AddIndexKeys(document, keys);
        }

        return keys;
    }
}
