namespace McpZero.Storage;

public sealed partial class StateStore
{
    /// <summary>Lists every live key that starts with <paramref name="prefix"/>, each once, in no particular order.</summary>
    /// <remarks>
    /// Walks the whole hybrid log and then reads each distinct key, so the cost grows with the log
    /// size rather than with the number of matches. Keys written or deleted during the call may or
    /// may not be listed. FASTER's own live-record iterator (ClientSession.Iterate in 2.6.5) is not
    /// used: after a fold-over checkpoint moved the read-only address it skipped keys that had been
    /// updated since, which a test of this method reproduced.
    /// </remarks>
    public IReadOnlyList<byte[]> ListKeys(ReadOnlySpan<byte> prefix = default)
    {
        ThrowIfDisposed();

        var candidates = new HashSet<byte[]>(ByteArrayComparer.Instance);
        var log = _faster.Store.Log;
        using (var iterator = log.Scan(log.BeginAddress, log.TailAddress))
        {
            while (iterator.GetNext(out _))
            {
                var key = iterator.GetKey().AsReadOnlySpan();
                if (key.StartsWith(prefix))
                {
                    candidates.Add(key.ToArray());
                }
            }
        }

        // The log also contains old versions and tombstones, so a read decides what is live now.
        var keys = new List<byte[]>(candidates.Count);
        var session = RentSession();
        try
        {
            foreach (var key in candidates)
            {
                if (ReadCore(session, key) is not null)
                {
                    keys.Add(key);
                }
            }
        }
        finally
        {
            ReturnSession(session);
        }

        return keys;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
