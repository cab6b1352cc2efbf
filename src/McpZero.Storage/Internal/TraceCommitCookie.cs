using System.Buffers.Binary;

namespace McpZero.Storage.Internal;

/// <summary>
/// Metadata stored with every FasterLog commit: the number of records appended up to the commit, the
/// retention anchor, and the damaged regions that earlier opens found and stepped over. Recovery
/// learns from it what should exist, and truncation and anchor become durable in the same commit.
/// </summary>
/// <remarks>
/// Layout, integers little-endian: version byte 1, NextSequence (i64), AnchorSequence (i64, -1 when
/// nothing was removed), AnchorHash (32 bytes), region count (i32), then per region its start and end
/// address (two i64).
/// </remarks>
internal readonly record struct TraceCommitCookie(long NextSequence, TraceAnchor? Anchor, IReadOnlyList<DamagedRegion> DamagedRegions)
{
    private const byte Version = 1;
    private const int FixedBytes = 1 + 8 + 8 + TraceHash.HashBytes + 4;

    public byte[] Encode()
    {
        var bytes = new byte[FixedBytes + DamagedRegions.Count * 16];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), NextSequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(9), Anchor?.Sequence ?? -1);
        (Anchor?.Hash ?? TraceHash.Genesis()).CopyTo(bytes.AsSpan(17));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(17 + TraceHash.HashBytes), DamagedRegions.Count);
        for (var i = 0; i < DamagedRegions.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(FixedBytes + i * 16), DamagedRegions[i].StartAddress);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(FixedBytes + i * 16 + 8), DamagedRegions[i].EndAddress);
        }

        return bytes;
    }

    /// <summary>Decodes a recovered cookie; null when there is none or it has an unknown layout.</summary>
    public static TraceCommitCookie? Decode(byte[]? bytes)
    {
        if (bytes is null || bytes.Length < FixedBytes || bytes[0] != Version)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(17 + TraceHash.HashBytes));
        if (count < 0 || bytes.Length != FixedBytes + (long)count * 16)
        {
            return null;
        }

        var regions = new DamagedRegion[count];
        for (var i = 0; i < count; i++)
        {
            regions[i] = new DamagedRegion(
                BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(FixedBytes + i * 16)),
                BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(FixedBytes + i * 16 + 8)));
        }

        var anchorSequence = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9));
        var anchor = anchorSequence < 0 ? null : new TraceAnchor(anchorSequence, bytes.AsSpan(17, TraceHash.HashBytes).ToArray());
        return new TraceCommitCookie(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1)), anchor, regions);
    }
}

/// <summary>
/// Log addresses from just after the last good entry to the tail where appending resumed, found when
/// an open read less than the last commit had stored. Reads skip these addresses.
/// </summary>
internal readonly record struct DamagedRegion(long StartAddress, long EndAddress);
