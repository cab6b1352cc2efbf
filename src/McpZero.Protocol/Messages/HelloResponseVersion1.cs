using MemoryPack;

namespace McpZero.Protocol.Messages;

/// <summary>
/// The hello response with only the members that clients built before compression know. MemoryPack
/// rejects an object with more members than the reader defines, so the server sends this shape to a
/// client whose <see cref="HelloRequest.CompressionCodecs"/> is null. It is written with the union tag
/// of <see cref="HelloResponse"/> and read back as one.
/// </summary>
[MemoryPackable]
public sealed partial class HelloResponseVersion1
{
    public int ProtocolVersion { get; set; }
    public string ServerVersion { get; set; } = "";
    public uint MaxFrameBytes { get; set; }

    /// <summary>Writes a whole response frame: header, the HelloResult union tag, then this object.</summary>
    public void WriteFrame(System.Buffers.IBufferWriter<byte> output, uint requestId)
    {
        byte[] members = MemoryPackSerializer.Serialize(this);
        byte[] body = new byte[1 + members.Length];
        body[0] = (byte)MessageTypes.HelloResult;
        members.CopyTo(body, 1);
        FrameWriter.WriteFrame(output, FrameFlags.Response, MessageTypes.HelloResult, requestId, body);
    }
}
