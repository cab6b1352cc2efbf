using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.UnitTests.Protocol;

/// <summary>Hello between peers built before and after the compression members.</summary>
public sealed class HelloCompatibilityTests
{
    // HelloRequest { ProtocolVersion = 1, ClientName = "cli" } as a client built before compression writes it.
    private static readonly byte[] OlderHelloBody = Convert.FromHexString("010201000000fcffffff03000000636c69");

    [Fact]
    public void OlderHelloReadsAsNullCodecs()
    {
        HelloRequest hello = Assert.IsType<HelloRequest>(MemoryPackSerializer.Deserialize<IRequest>(OlderHelloBody));

        Assert.Equal("cli", hello.ClientName);
        Assert.Null(hello.CompressionCodecs);
    }

    [Fact]
    public void HelloWithoutCodecsSendsEmptyArray()
    {
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new HelloRequest { ClientName = "cli", CompressionCodecs = [] });

        HelloRequest hello = Assert.IsType<HelloRequest>(MemoryPackSerializer.Deserialize<IRequest>(body));
        Assert.NotNull(hello.CompressionCodecs);
        Assert.Empty(hello.CompressionCodecs);
    }

    [Fact]
    public void Version1ResponseHasThreeMembers()
    {
        var frame = new System.Buffers.ArrayBufferWriter<byte>();
        new HelloResponseVersion1 { ProtocolVersion = 1, ServerVersion = "0.1.0", MaxFrameBytes = 4096 }.WriteFrame(frame, 9);

        byte[] body = frame.WrittenSpan[FrameHeader.Size..].ToArray();
        Assert.Equal(MessageTypes.HelloResult, body[0]);
        Assert.Equal(3, body[1]);
        HelloResponse hello = Assert.IsType<HelloResponse>(MemoryPackSerializer.Deserialize<IResponse>(body));
        Assert.Equal("0.1.0", hello.ServerVersion);
        Assert.Equal(4096u, hello.MaxFrameBytes);
        Assert.Null(hello.CompressionCodec);
    }

    [Fact]
    public void NewerResponseIsRejectedByOlderShape()
    {
        byte[] body = MemoryPackSerializer.Serialize<IResponse>(new HelloResponse { ProtocolVersion = 1, ServerVersion = "0.1.0", CompressionCodec = "lz4" });

        // The reason the server keeps the three-member shape for older clients.
        Assert.ThrowsAny<MemoryPackSerializationException>(() => MemoryPackSerializer.Deserialize<HelloResponseVersion1>(body.AsSpan(1)));
    }
}
