using System.Security.Cryptography;

namespace McpZero.Storage.Internal;

/// <summary>
/// The SHA-256 Merkle tree hash of RFC 6962 section 2.1 over record hashes, used by trace seals.
/// </summary>
/// <remarks>
/// A leaf is SHA-256(0x00 || record hash) and an inner node SHA-256(0x01 || left || right). A list of
/// n > 1 leaves splits at the largest power of two below n, so the root also fixes the leaf count.
/// Reducing level by level and carrying an odd last node up unchanged builds that same tree.
/// </remarks>
internal static class MerkleTree
{
    private const int HashBytes = TraceHash.HashBytes;

    public static byte[] ComputeRoot(IReadOnlyList<byte[]> recordHashes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(recordHashes.Count);

        var count = recordHashes.Count;
        var level = new byte[count * HashBytes];
        Span<byte> input = stackalloc byte[1 + 2 * HashBytes];
        input[0] = 0x00;
        for (var i = 0; i < count; i++)
        {
            recordHashes[i].CopyTo(input[1..]);
            SHA256.HashData(input[..(1 + HashBytes)], level.AsSpan(i * HashBytes, HashBytes));
        }

        input[0] = 0x01;
        while (count > 1)
        {
            var parents = 0;
            for (var i = 0; i + 1 < count; i += 2)
            {
                level.AsSpan(i * HashBytes, 2 * HashBytes).CopyTo(input[1..]);
                SHA256.HashData(input, level.AsSpan(parents * HashBytes, HashBytes));
                parents++;
            }

            if (count % 2 == 1)
            {
                level.AsSpan((count - 1) * HashBytes, HashBytes).CopyTo(level.AsSpan(parents * HashBytes));
                parents++;
            }

            count = parents;
        }

        return level.AsSpan(0, HashBytes).ToArray();
    }
}
