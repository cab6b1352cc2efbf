using System.Buffers;

namespace McpZero.Protocol;

public enum FrameReadStatus
{
    /// <summary>The buffer does not yet hold a whole frame; read more and try again.</summary>
    Incomplete,

    /// <summary>A whole frame was consumed from the buffer.</summary>
    Complete,

    /// <summary>The bytes cannot be a valid frame; reply with the error and close the connection.</summary>
    Invalid,
}

/// <summary>A framing failure: the code and message to send, and the request id it belongs to (0 when unknown).</summary>
public readonly record struct FrameError(ErrorCode Code, string Message, uint RequestId);

/// <summary>
/// Cuts frames out of a byte sequence as it arrives. Frames may be split across reads at any byte:
/// nothing is consumed until the header and the whole body are present.
/// </summary>
public static class FrameReader
{
    /// <summary>Default maximum body size: 4 MiB.</summary>
    public const uint DefaultMaxBodyBytes = 4 * 1024 * 1024;

    public static FrameReadStatus TryRead(
        ref ReadOnlySequence<byte> buffer,
        uint maxBodyBytes,
        out FrameHeader header,
        out ReadOnlySequence<byte> body,
        out FrameError error)
    {
        header = default;
        body = default;
        error = default;

        if (buffer.Length < FrameHeader.Size)
        {
            // A wrong first byte can be rejected before the rest of the header arrives.
            if (!buffer.IsEmpty && buffer.FirstSpan[0] != FrameHeader.Magic0)
            {
                error = new FrameError(ErrorCode.BadRequest, "frame does not start with the magic bytes 'MZ'", 0);
                return FrameReadStatus.Invalid;
            }

            return FrameReadStatus.Incomplete;
        }

        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(headerBytes);
        if (!FrameHeader.TryParse(headerBytes, out header, out _))
        {
            error = new FrameError(ErrorCode.BadRequest, "frame does not start with the magic bytes 'MZ'", 0);
            return FrameReadStatus.Invalid;
        }

        if (header.Version != FrameHeader.CurrentVersion)
        {
            error = new FrameError(
                ErrorCode.UnsupportedVersion,
                $"frame version {header.Version} is not supported; this server speaks version {FrameHeader.CurrentVersion}",
                header.RequestId);
            return FrameReadStatus.Invalid;
        }

        if (header.BodyLength > maxBodyBytes)
        {
            error = new FrameError(
                ErrorCode.FrameTooLarge,
                $"frame body of {header.BodyLength} bytes exceeds the maximum frame size of {maxBodyBytes} bytes",
                header.RequestId);
            return FrameReadStatus.Invalid;
        }

        long frameLength = FrameHeader.Size + (long)header.BodyLength;
        if (buffer.Length < frameLength)
        {
            return FrameReadStatus.Incomplete;
        }

        body = buffer.Slice(FrameHeader.Size, header.BodyLength);
        buffer = buffer.Slice(frameLength);
        return FrameReadStatus.Complete;
    }
}
