using System.Buffers.Binary;

namespace McpZero.Storage.Internal;

/// <summary>
/// A log entry written after a batch of trace records: the batch's first and last sequence, the hash
/// of its last record and the <see cref="MerkleTree"/> root of its record hashes.
/// </summary>
/// <remarks>
/// Layout, integers little-endian: the 8 ASCII bytes "MZTSEAL1", FirstSequence (i64), LastSequence
/// (i64), LastHash (32 bytes), MerkleRoot (32 bytes); 88 bytes in all. A MemoryPack trace record
/// starts with its member count (12), never with 'M', so the two entry kinds cannot be confused.
/// </remarks>
internal readonly record struct TraceSeal(long FirstSequence, long LastSequence, byte[] LastHash, byte[] MerkleRoot)
{
    public const int EncodedBytes = 8 + 8 + 8 + TraceHash.HashBytes * 2;

    private static ReadOnlySpan<byte> Magic => "MZTSEAL1"u8;

    public long RecordCount => LastSequence - FirstSequence + 1;

    public static bool IsSeal(ReadOnlySpan<byte> entry) => entry.Length >= Magic.Length && entry[..Magic.Length].SequenceEqual(Magic);

    public byte[] Encode()
    {
        var bytes = new byte[EncodedBytes];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), FirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), LastSequence);
        LastHash.CopyTo(bytes.AsSpan(24));
        MerkleRoot.CopyTo(bytes.AsSpan(24 + TraceHash.HashBytes));
        return bytes;
    }

    /// <summary>Decodes a seal entry; null when its length or magic is wrong.</summary>
    public static TraceSeal? Decode(ReadOnlySpan<byte> entry)
    {
        if (entry.Length != EncodedBytes || !IsSeal(entry))
        {
            return null;
        }

        return new TraceSeal(
            BinaryPrimitives.ReadInt64LittleEndian(entry[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(entry[16..]),
            entry.Slice(24, TraceHash.HashBytes).ToArray(),
            entry.Slice(24 + TraceHash.HashBytes, TraceHash.HashBytes).ToArray());
    }
}
