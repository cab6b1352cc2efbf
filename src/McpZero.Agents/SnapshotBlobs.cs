using System.Buffers.Binary;
using System.Security.Cryptography;
using McpZero.Storage;

namespace McpZero.Agents;

/// <summary>
/// Content-addressed storage of snapshot variable values, shared between snapshots and agents.
/// </summary>
/// <remarks>
/// A value is stored once under <c>blob/SHA256</c> and counted under <c>blobref/SHA256</c>, so a
/// snapshot of unchanged variables writes only its own record and the reference counts. Callers
/// serialize every change under one lock, because two snapshots can share a value.
/// </remarks>
internal sealed class SnapshotBlobs(StateStore store)
{
    /// <summary>Stores each value unless an equal one is stored already, and adds one reference to each.</summary>
    /// <returns>Each variable name with the SHA-256 (lowercase hex) of its value.</returns>
    public Dictionary<string, string> Add(IReadOnlyDictionary<string, byte[]> variables)
    {
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(value));
            var count = ReadCount(hash);
            if (count == 0)
            {
                store.Upsert(BlobKey(hash), value, waitForCommit: false);
            }

            WriteCount(hash, count + 1);
            references[name] = hash;
        }

        return references;
    }

    /// <summary>Reads the values that <paramref name="references"/> point to.</summary>
    /// <exception cref="AgentException">A value is missing from the store.</exception>
    public Dictionary<string, byte[]> Load(IReadOnlyDictionary<string, string> references)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, hash) in references)
        {
            if (!store.TryRead(BlobKey(hash), out var value))
            {
                throw new AgentException(
                    Protocol.ErrorCode.StorageFailure,
                    $"value {hash} of variable '{name}' is missing from the store; the snapshot cannot be restored");
            }

            values[name] = value;
        }

        return values;
    }

    /// <summary>Drops one reference to each value and deletes values that no snapshot uses any more.</summary>
    public void Release(IReadOnlyDictionary<string, string> references)
    {
        foreach (var hash in references.Values)
        {
            var count = ReadCount(hash);
            if (count <= 1)
            {
                store.Delete(RefKey(hash), waitForCommit: false);
                store.Delete(BlobKey(hash), waitForCommit: false);
                continue;
            }

            WriteCount(hash, count - 1);
        }
    }

    /// <summary>Returns true when a value with <paramref name="hash"/> is stored.</summary>
    public bool Contains(string hash) => store.TryRead(BlobKey(hash), out _);

    private long ReadCount(string hash) =>
        store.TryRead(RefKey(hash), out var bytes) && bytes.Length == sizeof(long)
            ? BinaryPrimitives.ReadInt64LittleEndian(bytes)
            : 0;

    private void WriteCount(string hash, long count)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, count);
        store.Upsert(RefKey(hash), bytes, waitForCommit: false);
    }

    private static string BlobKey(string hash) => "blob/" + hash;

    private static string RefKey(string hash) => "blobref/" + hash;
}
