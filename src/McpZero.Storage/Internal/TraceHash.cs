using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace McpZero.Storage.Internal;

/// <summary>
/// The canonical byte encoding of a <see cref="TraceRecord"/> and its SHA-256 hash.
/// </summary>
/// <remarks>
/// Layout, all integers little-endian: the 16 ASCII bytes "MCPZERO-TRACE-V1", Sequence (i64),
/// TimestampUnixMicros (i64), AgentId, Plugin and Method (each a u32 byte count and UTF-8 bytes),
/// InputSha256 and OutputSha256 (each a u32 count and the bytes), Status (u8), ErrorCode (u16),
/// DurationMicros (i64), PreviousHash (u32 count and bytes). Changing this layout invalidates every
/// stored chain, so a new layout needs a new version prefix.
/// </remarks>
internal static class TraceHash
{
    public const int HashBytes = 32;

    private static readonly byte[] Prefix = "MCPZERO-TRACE-V1"u8.ToArray();

    /// <summary>The previous hash of the record with sequence 0.</summary>
    public static byte[] Genesis() => new byte[HashBytes];

    public static byte[] Compute(TraceRecord record)
    {
        var length = Prefix.Length
            + sizeof(long) * 3
            + sizeof(uint) * 6
            + Encoding.UTF8.GetByteCount(record.AgentId)
            + Encoding.UTF8.GetByteCount(record.Plugin)
            + Encoding.UTF8.GetByteCount(record.Method)
            + record.InputSha256.Length
            + record.OutputSha256.Length
            + sizeof(byte)
            + sizeof(ushort)
            + record.PreviousHash.Length;

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encode(record, buffer);
            return SHA256.HashData(buffer.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Encode(TraceRecord record, Span<byte> buffer)
    {
        var offset = 0;
        Prefix.CopyTo(buffer);
        offset += Prefix.Length;

        BinaryPrimitives.WriteInt64LittleEndian(buffer[offset..], record.Sequence);
        offset += sizeof(long);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[offset..], record.TimestampUnixMicros);
        offset += sizeof(long);

        offset += WriteString(buffer[offset..], record.AgentId);
        offset += WriteString(buffer[offset..], record.Plugin);
        offset += WriteString(buffer[offset..], record.Method);
        offset += WriteBytes(buffer[offset..], record.InputSha256);
        offset += WriteBytes(buffer[offset..], record.OutputSha256);

        buffer[offset] = (byte)record.Status;
        offset += sizeof(byte);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[offset..], record.ErrorCode);
        offset += sizeof(ushort);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[offset..], record.DurationMicros);
        offset += sizeof(long);

        offset += WriteBytes(buffer[offset..], record.PreviousHash);
        return offset;
    }

    private static int WriteString(Span<byte> buffer, string value)
    {
        var count = Encoding.UTF8.GetBytes(value, buffer[sizeof(uint)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)count);
        return sizeof(uint) + count;
    }

    private static int WriteBytes(Span<byte> buffer, byte[] value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)value.Length);
        value.CopyTo(buffer[sizeof(uint)..]);
        return sizeof(uint) + value.Length;
    }
}
