using System.Buffers.Binary;

namespace McpZero.Agents.Caching;

/// <summary>A 256-bit result-cache key, the SHA-256 digest from <see cref="ResultCache.CreateKey"/>.</summary>
internal readonly record struct ResultKey(ulong Part0, ulong Part1, ulong Part2, ulong Part3)
{
    public static ResultKey FromDigest(ReadOnlySpan<byte> digest) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(digest),
        BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]));
}
