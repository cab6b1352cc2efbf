using System.Security.Cryptography;

namespace McpZero.Storage.Internal;

/// <summary>
/// The SHA-256 Merkle tree hash of RFC 6962 section 2.1 over record hashes, used by trace seals.
/// </summary>
/// <remarks>
/// A leaf is SHA-256(0x00 || record hash) and an inner node SHA-256(0x01 || left || right). A list of
/// n > 1 leaves splits at the largest power of two below n, so the root also fixes the leaf count.
/// </remarks>
internal static class MerkleTree
{
    public static byte[] ComputeRoot(IReadOnlyList<byte[]> recordHashes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(recordHashes.Count);

        var level = new byte[recordHashes.Count][];
        Span<byte> leaf = stackalloc byte[1 + TraceHash.HashBytes];
        for (var i = 0; i < recordHashes.Count; i++)
        {
            leaf[0] = 0x00;
            recordHashes[i].CopyTo(leaf[1..]);
            level[i] = SHA256.HashData(leaf);
        }

        return Reduce(level, 0, level.Length);
    }

    private static byte[] Reduce(byte[][] leaves, int start, int count)
    {
        if (count == 1)
        {
            return leaves[start];
        }

        var split = 1;
        while (split * 2 < count)
        {
            split *= 2;
        }

        var left = Reduce(leaves, start, split);
        var right = Reduce(leaves, start + split, count - split);
        Span<byte> node = stackalloc byte[1 + 2 * TraceHash.HashBytes];
        node[0] = 0x01;
        left.CopyTo(node[1..]);
        right.CopyTo(node[(1 + TraceHash.HashBytes)..]);
        return SHA256.HashData(node);
    }
}
