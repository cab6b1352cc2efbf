using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace McpZero.Agents.Caching;

/// <summary>
/// Outputs of successful calls of cacheable exports, bounded in bytes and evicted least recently
/// used first.
/// </summary>
/// <remarks>
/// Thread-safe: one lock guards the map and the recency list, and it is never held while a plugin
/// runs. A key is the SHA-256 of the module hash, the method, the effective config and the SHA-256
/// of the input (see <see cref="CreateKey"/>), so agents that call the same module with the same
/// config and input share one entry.
/// </remarks>
internal sealed class ResultCache
{
    // Bytes charged per entry on top of the output: the key, the map slot, the list node and the
    // array header. An estimate from the sizes of those objects on x64, not a measurement.
    internal const int EntryOverheadBytes = 160;

    private readonly Lock _lock = new();
    private readonly Dictionary<ResultKey, LinkedListNode<Entry>> _entries = new();
    private readonly LinkedList<Entry> _recency = new();
    private readonly long _capacityBytes;
    private readonly long _maxEntryBytes;
    private long _bytes;
    private long _hits;
    private long _misses;
    private long _evictions;

    /// <summary>Creates a cache limited to <paramref name="capacityBytes"/> bytes of entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityBytes"/> is not positive.</exception>
    public ResultCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        _capacityBytes = capacityBytes;

        // One output may take a quarter of the cache, so a single large result cannot flush it.
        _maxEntryBytes = Math.Max(capacityBytes / 4, 1);
    }

    public long CapacityBytes => _capacityBytes;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Bytes charged for the entries held now: outputs plus <see cref="EntryOverheadBytes"/> each.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Derives the key of a call: SHA-256 over the module's SHA-256, the method, the config entries
    /// in ordinal key order and the input's SHA-256, each length-prefixed so that no two different
    /// calls produce the same byte stream.
    /// </summary>
    /// <remarks>
    /// Agents share entries, so a key collision would hand one agent a result computed for another
    /// input. SHA-256 resists collisions even for chosen inputs, which a fast 128-bit hash such as
    /// XxHash128 does not. The input's SHA-256 is computed for
    /// the trace record anyway, so the cache adds only the hash of the short prefix.
    /// </remarks>
    public static ResultKey CreateKey(string moduleSha256, string method, IReadOnlyDictionary<string, string> config, ReadOnlySpan<byte> inputSha256)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendString(hash, moduleSha256);
        AppendString(hash, method);

        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, config.Count);
        hash.AppendData(count);
        if (config.Count > 0)
        {
            string[] keys = [.. config.Keys];
            Array.Sort(keys, StringComparer.Ordinal);
            foreach (string key in keys)
            {
                AppendString(hash, key);
                AppendString(hash, config[key]);
            }
        }

        hash.AppendData(inputSha256);

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return ResultKey.FromDigest(digest);
    }

    /// <summary>Returns the cached output of <paramref name="key"/> and marks it most recently used, or counts a miss.</summary>
    public bool TryGet(in ResultKey key, out byte[] output)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                _recency.Remove(node);
                _recency.AddLast(node);
                _hits++;
                output = node.Value.Output;
                return true;
            }

            _misses++;
        }

        output = [];
        return false;
    }

    /// <summary>
    /// Stores <paramref name="output"/> under <paramref name="key"/> and evicts least recently used
    /// entries until the cache fits its capacity. An output over a quarter of the capacity is not stored.
    /// </summary>
    /// <remarks>The cache keeps a reference to <paramref name="output"/>, so the caller must not change the array.</remarks>
    public void Add(in ResultKey key, byte[] output)
    {
        long size = output.Length + EntryOverheadBytes;
        if (size > _maxEntryBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? existing))
            {
                // Two calls with the same key missed at once; both outputs are equal for a
                // deterministic export, so the first one stays.
                _recency.Remove(existing);
                _recency.AddLast(existing);
                return;
            }

            while (_bytes + size > _capacityBytes && _recency.First is { } oldest)
            {
                RemoveNode(oldest);
                _evictions++;
            }

            LinkedListNode<Entry> node = _recency.AddLast(new Entry(key, output, size));
            _entries.Add(key, node);
            _bytes += size;
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _recency.Clear();
            _bytes = 0;
        }
    }

    private void RemoveNode(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.SizeBytes;
    }

    private static void AppendString(IncrementalHash hash, string text)
    {
        int byteCount = Encoding.UTF8.GetByteCount(text);
        byte[] buffer = new byte[4 + byteCount];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, byteCount);
        Encoding.UTF8.GetBytes(text, buffer.AsSpan(4));
        hash.AppendData(buffer);
    }

    private readonly record struct Entry(ResultKey Key, byte[] Output, long SizeBytes);
}
