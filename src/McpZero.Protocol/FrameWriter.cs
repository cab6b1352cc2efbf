using System.Buffers;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.Protocol;

/// <summary>Writes whole frames: header plus MemoryPack body.</summary>
public static class FrameWriter
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_bodyBuffer;

    public static void WriteRequest(IBufferWriter<byte> output, uint requestId, IRequest request)
    {
        ArrayBufferWriter<byte> body = RentBodyBuffer();
        MemoryPackSerializer.Serialize(body, request);
        WriteFrame(output, FrameFlags.None, request.MessageType, requestId, body.WrittenSpan);
    }

    public static void WriteResponse(IBufferWriter<byte> output, uint requestId, IResponse response)
    {
        ArrayBufferWriter<byte> body = RentBodyBuffer();
        MemoryPackSerializer.Serialize(body, response);
        WriteFrame(output, FrameFlags.Response, response.MessageType, requestId, body.WrittenSpan);
    }

    /// <summary>Writes a response frame, compressing a body above <paramref name="thresholdBytes"/> with <paramref name="codec"/>.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, uint requestId, IResponse response, CompressionCodec codec, int thresholdBytes)
    {
        ArrayBufferWriter<byte> body = RentBodyBuffer();
        MemoryPackSerializer.Serialize(body, response);
        FrameCompression.WriteFrame(output, FrameFlags.Response, response.MessageType, requestId, body.WrittenSpan, codec, thresholdBytes);
    }

    /// <summary>Writes a frame around an already serialized body; used by tests to build odd frames.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, FrameFlags flags, ushort messageType, uint requestId, ReadOnlySpan<byte> body)
    {
        var header = new FrameHeader(FrameHeader.CurrentVersion, flags, messageType, requestId, (uint)body.Length);
        Span<byte> destination = output.GetSpan(FrameHeader.Size + body.Length);
        header.Write(destination);
        body.CopyTo(destination[FrameHeader.Size..]);
        output.Advance(FrameHeader.Size + body.Length);
    }

    private static ArrayBufferWriter<byte> RentBodyBuffer()
    {
        ArrayBufferWriter<byte> buffer = t_bodyBuffer ??= new ArrayBufferWriter<byte>(4096);

        // Drop a buffer that grew for one large message so each thread keeps at most 1 MiB.
        if (buffer.Capacity > 1024 * 1024)
        {
            buffer = t_bodyBuffer = new ArrayBufferWriter<byte>(4096);
        }

        buffer.ResetWrittenCount();
        return buffer;
    }
}
