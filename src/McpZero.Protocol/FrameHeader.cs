using System.Buffers.Binary;

namespace McpZero.Protocol;

/// <summary>
/// The fixed 16-byte header in front of every frame. All integers are little-endian.
/// </summary>
/// <remarks>
/// Layout: magic "MZ" (2 bytes), version (1), flags (1), message type (u16), reserved (u16, zero),
/// request id (u32), body length (u32). The body that follows is one MemoryPack-serialized
/// <see cref="Messages.IRequest"/> or <see cref="Messages.IResponse"/> union value.
/// </remarks>
public readonly record struct FrameHeader(byte Version, FrameFlags Flags, ushort MessageType, uint RequestId, uint BodyLength)
{
    public const int Size = 16;
    public const byte Magic0 = (byte)'M';
    public const byte Magic1 = (byte)'Z';

    /// <summary>The only frame layout version this build reads and writes.</summary>
    public const byte CurrentVersion = 1;

    public bool IsResponse => (Flags & FrameFlags.Response) != 0;

    public void Write(Span<byte> destination)
    {
        destination[0] = Magic0;
        destination[1] = Magic1;
        destination[2] = Version;
        destination[3] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], MessageType);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], RequestId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], BodyLength);
    }

    /// <summary>
    /// Parses a header without validating its fields beyond the magic bytes; the frame reader checks
    /// version, flags and length so that each failure gets its own error.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out FrameHeader header, out bool badMagic)
    {
        header = default;
        badMagic = false;
        if (source.Length < Size)
        {
            return false;
        }

        if (source[0] != Magic0 || source[1] != Magic1)
        {
            badMagic = true;
            return false;
        }

        header = new FrameHeader(
            source[2],
            (FrameFlags)source[3],
            BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));
        return true;
    }
}

[Flags]
public enum FrameFlags : byte
{
    None = 0,

    /// <summary>Set on every frame the server sends.</summary>
    Response = 1,

    /// <summary>
    /// The body is compressed with the codec negotiated at hello: a u32 uncompressed length, then
    /// the compressed bytes. See <see cref="FrameCompression"/>.
    /// </summary>
    Compressed = 2,
}
