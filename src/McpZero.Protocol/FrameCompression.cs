using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace McpZero.Protocol;

/// <summary>
/// Writes and reads compressed frame bodies. A compressed frame has <see cref="FrameFlags.Compressed"/>
/// set, and its body is the uncompressed length (u32, little-endian) followed by the compressed
/// bytes. The header's body length counts both.
/// </summary>
/// <remarks>
/// Decompression is bounded: the declared length is checked against the caller's limit before any
/// work, the output buffer has exactly that size, and a body that decodes to any other length is
/// rejected. A small compressed body therefore cannot expand past the payload limit.
/// </remarks>
public static class FrameCompression
{
    /// <summary>Size of the uncompressed length in front of a compressed body.</summary>
    public const int LengthPrefixBytes = 4;

    /// <summary>
    /// Writes one frame. The body is compressed when <paramref name="codec"/> is not None, it is
    /// longer than <paramref name="thresholdBytes"/>, and compression makes it shorter. Otherwise
    /// it is written as it is.
    /// </summary>
    public static void WriteFrame(
        IBufferWriter<byte> output,
        FrameFlags flags,
        ushort messageType,
        uint requestId,
        ReadOnlySpan<byte> body,
        CompressionCodec codec,
        int thresholdBytes)
    {
        if (codec == CompressionCodec.None || body.Length <= thresholdBytes)
        {
            FrameWriter.WriteFrame(output, flags, messageType, requestId, body);
            return;
        }

        int maxLength = FrameHeader.Size + LengthPrefixBytes + LZ4Codec.MaximumOutputSize(body.Length);
        Span<byte> destination = output.GetSpan(maxLength);
        int compressedLength = LZ4Codec.Encode(body, destination[(FrameHeader.Size + LengthPrefixBytes)..maxLength], LZ4Level.L00_FAST);
        if (compressedLength <= 0 || LengthPrefixBytes + compressedLength >= body.Length)
        {
            // Incompressible body: the plain frame is shorter.
            FrameWriter.WriteFrame(output, flags, messageType, requestId, body);
            return;
        }

        uint bodyLength = (uint)(LengthPrefixBytes + compressedLength);
        new FrameHeader(FrameHeader.CurrentVersion, flags | FrameFlags.Compressed, messageType, requestId, bodyLength).Write(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[FrameHeader.Size..], (uint)body.Length);
        output.Advance(FrameHeader.Size + (int)bodyLength);
    }

    /// <summary>
    /// Returns the size of the body once decompressed: the declared length of a compressed body,
    /// else the body length. False when a compressed body is too short to hold the length.
    /// </summary>
    public static bool TryGetPayloadLength(in FrameHeader header, in ReadOnlySequence<byte> body, out uint length)
    {
        if ((header.Flags & FrameFlags.Compressed) == 0)
        {
            length = header.BodyLength;
            return true;
        }

        length = 0;
        if (body.Length < LengthPrefixBytes)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        body.Slice(0, LengthPrefixBytes).CopyTo(prefix);
        length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        return true;
    }

    /// <summary>
    /// Returns the message bytes of a frame: the body itself, or for a compressed frame the body
    /// decompressed into <paramref name="rented"/>, which the caller returns to
    /// <see cref="ArrayPool{T}.Shared"/> once it has read the message.
    /// </summary>
    public static bool TryDecodeBody(
        in FrameHeader header,
        in ReadOnlySequence<byte> body,
        CompressionCodec codec,
        uint maxBytes,
        out ReadOnlySequence<byte> payload,
        out byte[]? rented,
        out FrameError error)
    {
        if ((header.Flags & FrameFlags.Compressed) == 0)
        {
            payload = body;
            rented = null;
            error = default;
            return true;
        }

        if (!TryDecompress(header, body, codec, maxBytes, out rented, out int length, out error))
        {
            payload = default;
            return false;
        }

        payload = new ReadOnlySequence<byte>(rented!, 0, length);
        return true;
    }

    /// <summary>
    /// Decompresses the body of a frame with <see cref="FrameFlags.Compressed"/> into a buffer
    /// rented from <see cref="ArrayPool{T}.Shared"/>. The caller returns <paramref name="rented"/>.
    /// </summary>
    /// <returns>False with <paramref name="error"/> when the codec is None, the declared length
    /// exceeds <paramref name="maxBytes"/>, or the body does not decode to the declared length.</returns>
    public static bool TryDecompress(
        in FrameHeader header,
        in ReadOnlySequence<byte> body,
        CompressionCodec codec,
        uint maxBytes,
        out byte[]? rented,
        out int length,
        out FrameError error)
    {
        rented = null;
        length = 0;
        error = default;
        if (codec == CompressionCodec.None)
        {
            error = new FrameError(ErrorCode.BadRequest, "the frame has the compressed flag, but no compression codec was agreed at hello", header.RequestId);
            return false;
        }

        if (!TryGetPayloadLength(header, body, out uint declared))
        {
            error = new FrameError(ErrorCode.BadRequest, $"compressed body of {body.Length} bytes is too short for its {LengthPrefixBytes}-byte length", header.RequestId);
            return false;
        }

        if (declared > maxBytes)
        {
            error = new FrameError(ErrorCode.PayloadTooLarge, $"compressed body declares {declared} bytes, over the limit of {maxBytes} bytes", header.RequestId);
            return false;
        }

        ReadOnlySequence<byte> compressed = body.Slice(LengthPrefixBytes);
        byte[]? copy = null;
        ReadOnlySpan<byte> source;
        if (compressed.IsSingleSegment)
        {
            source = compressed.FirstSpan;
        }
        else
        {
            copy = ArrayPool<byte>.Shared.Rent((int)compressed.Length);
            compressed.CopyTo(copy);
            source = copy.AsSpan(0, (int)compressed.Length);
        }

        byte[] target = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)declared));
        try
        {
            int written = LZ4Codec.Decode(source, target.AsSpan(0, (int)declared));
            if (written != declared)
            {
                ArrayPool<byte>.Shared.Return(target);
                error = new FrameError(ErrorCode.BadRequest, $"compressed body does not decode to its declared {declared} bytes", header.RequestId);
                return false;
            }
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        rented = target;
        length = (int)declared;
        return true;
    }
}
