using McpZero.Storage;

namespace McpZero.Agents.Collections;

/// <summary>
/// A secondary index on one field: for each value, the ids of the documents that have it. The
/// whole index is kept in memory for lookups and persisted in the state store as posting lists.
/// </summary>
/// <remarks>
/// Storage layout: <c>idx/&lt;collection&gt;/&lt;field&gt;</c> lists the distinct values, and the ids
/// for one value are split by a hash of the id into <see cref="BucketCount"/> documents under
/// <c>idx/&lt;collection&gt;/&lt;field&gt;/&lt;value&gt;/&lt;bucket&gt;</c>. FASTER's hash index has no
/// ordered prefix scan, so one key per (value, id) could only be found again by scanning the whole
/// log. Buckets keep one write at about 1/16 of a value's ids, and keep a value with many ids
/// below the store's page size. Thread-safe: one lock guards the postings and their writes.
/// </remarks>
internal sealed class PostingIndex
{
    public const int BucketCount = 16;

    private readonly StateStore _store;
    private readonly Dictionary<string, HashSet<string>[]> _postings = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _entries;

    public PostingIndex(StateStore store, string collection, string field)
    {
        _store = store;
        Collection = collection;
        Field = field;
    }

    public string Collection { get; }

    public string Field { get; }

    public long Entries => Interlocked.Read(ref _entries);

    public int Values
    {
        get
        {
            lock (_lock)
            {
                return _postings.Count;
            }
        }
    }

    private string ValuesKey => $"idx/{Collection}/{Field}";

    /// <summary>
    /// Moves <paramref name="id"/> from its old keys to its new keys, in memory and in the store.
    /// Pass an empty set for a new or deleted document.
    /// </summary>
    public void Update(string id, IReadOnlySet<string> oldKeys, IReadOnlySet<string> newKeys)
    {
        lock (_lock)
        {
            var dirty = new HashSet<(string Value, int Bucket)>();
            bool valuesChanged = false;
            int bucket = BucketOf(id);
            foreach (string key in oldKeys)
            {
                if (!newKeys.Contains(key) && RemoveCore(key, id, bucket, ref valuesChanged))
                {
                    dirty.Add((key, bucket));
                }
            }

            foreach (string key in newKeys)
            {
                if (!oldKeys.Contains(key) && AddCore(key, id, bucket, ref valuesChanged))
                {
                    dirty.Add((key, bucket));
                }
            }

            Persist(dirty, valuesChanged);
        }
    }

    /// <summary>Adds many new documents with one write per changed bucket, for batch inserts.</summary>
    public void AddMany(IEnumerable<(string Id, IReadOnlySet<string> Keys)> documents)
    {
        lock (_lock)
        {
            var dirty = new HashSet<(string Value, int Bucket)>();
            bool valuesChanged = false;
            foreach ((string id, IReadOnlySet<string> keys) in documents)
            {
                int bucket = BucketOf(id);
                foreach (string key in keys)
                {
                    if (AddCore(key, id, bucket, ref valuesChanged))
                    {
                        dirty.Add((key, bucket));
                    }
                }
            }

            Persist(dirty, valuesChanged);
        }
    }

    /// <summary>Returns the ids that have any of <paramref name="values"/>, without duplicates.</summary>
    public HashSet<string> Lookup(IEnumerable<string> values)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (string value in values)
            {
                if (_postings.TryGetValue(value, out HashSet<string>[]? buckets))
                {
                    foreach (HashSet<string> bucket in buckets)
                    {
                        ids.UnionWith(bucket);
                    }
                }
            }
        }

        return ids;
    }

    /// <summary>Reads the persisted postings; false when the index was never stored.</summary>
    public bool Load()
    {
        lock (_lock)
        {
            _postings.Clear();
            _entries = 0;
            IdIndex? values = _store.ReadDocument<IdIndex>(ValuesKey);
            if (values is null)
            {
                return false;
            }

            foreach (string value in values.Ids)
            {
                var buckets = NewBuckets();
                for (int bucket = 0; bucket < BucketCount; bucket++)
                {
                    IdIndex? ids = _store.ReadDocument<IdIndex>(BucketKey(value, bucket));
                    if (ids is not null)
                    {
                        buckets[bucket].UnionWith(ids.Ids);
                        _entries += ids.Ids.Count;
                    }
                }

                _postings[value] = buckets;
            }

            return true;
        }
    }

    /// <summary>Whether the index contains exactly <paramref name="expected"/>, the postings computed from the documents.</summary>
    public bool Equals(Dictionary<string, HashSet<string>> expected)
    {
        lock (_lock)
        {
            int nonEmpty = _postings.Count(pair => pair.Value.Any(bucket => bucket.Count > 0));
            if (nonEmpty != expected.Count)
            {
                return false;
            }

            foreach ((string value, HashSet<string> ids) in expected)
            {
                if (!_postings.TryGetValue(value, out HashSet<string>[]? buckets) || buckets.Sum(bucket => bucket.Count) != ids.Count)
                {
                    return false;
                }

                foreach (string id in ids)
                {
                    if (!buckets[BucketOf(id)].Contains(id))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }

    /// <summary>Replaces the index with <paramref name="expected"/> and rewrites every stored posting list.</summary>
    public void Rebuild(Dictionary<string, HashSet<string>> expected)
    {
        lock (_lock)
        {
            var dirty = new HashSet<(string Value, int Bucket)>();
            foreach (string value in _postings.Keys)
            {
                for (int bucket = 0; bucket < BucketCount; bucket++)
                {
                    dirty.Add((value, bucket));
                }
            }

            _postings.Clear();
            _entries = 0;
            bool valuesChanged = true;
            foreach ((string value, HashSet<string> ids) in expected)
            {
                foreach (string id in ids)
                {
                    int bucket = BucketOf(id);
                    AddCore(value, id, bucket, ref valuesChanged);
                    dirty.Add((value, bucket));
                }
            }

            Persist(dirty, valuesChanged);
        }
    }

    /// <summary>FNV-1a over the UTF-16 code units of the id; stored bucket keys depend on it, so it must never change.</summary>
    internal static int BucketOf(string id)
    {
        uint hash = 2166136261;
        foreach (char c in id)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % BucketCount);
    }

    private bool AddCore(string value, string id, int bucket, ref bool valuesChanged)
    {
        if (!_postings.TryGetValue(value, out HashSet<string>[]? buckets))
        {
            buckets = NewBuckets();
            _postings[value] = buckets;
            valuesChanged = true;
        }

        if (!buckets[bucket].Add(id))
        {
            return false;
        }

        _entries++;
        return true;
    }

    private bool RemoveCore(string value, string id, int bucket, ref bool valuesChanged)
    {
        if (!_postings.TryGetValue(value, out HashSet<string>[]? buckets) || !buckets[bucket].Remove(id))
        {
            return false;
        }

        _entries--;
        if (buckets.All(ids => ids.Count == 0))
        {
            _postings.Remove(value);
            valuesChanged = true;
        }

        return true;
    }

    private void Persist(HashSet<(string Value, int Bucket)> dirty, bool valuesChanged)
    {
        foreach ((string value, int bucket) in dirty)
        {
            string key = BucketKey(value, bucket);
            if (_postings.TryGetValue(value, out HashSet<string>[]? buckets) && buckets[bucket].Count > 0)
            {
                _store.UpsertDocument(key, new IdIndex { Ids = [.. buckets[bucket]] }, waitForCommit: false);
            }
            else
            {
                _store.Delete(key, waitForCommit: false);
            }
        }

        if (valuesChanged)
        {
            _store.UpsertDocument(ValuesKey, new IdIndex { Ids = [.. _postings.Keys] }, waitForCommit: false);
        }
    }

    private string BucketKey(string value, int bucket) => $"idx/{Collection}/{Field}/{value}/{bucket:x}";

    private static HashSet<string>[] NewBuckets()
    {
        var buckets = new HashSet<string>[BucketCount];
        for (int i = 0; i < BucketCount; i++)
        {
            buckets[i] = new HashSet<string>(StringComparer.Ordinal);
        }

        return buckets;
    }
}
