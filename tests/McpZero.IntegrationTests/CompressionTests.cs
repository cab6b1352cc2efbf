using System.Buffers.Binary;
using System.Text;
using K4os.Compression.LZ4;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.IntegrationTests;

/// <summary>Compression agreed at hello, in both directions, and its bounds.</summary>
public sealed class CompressionTests
{
    private static readonly Dictionary<string, string> LowThreshold = new() { ["MCPZERO__COMPRESSIONTHRESHOLDBYTES"] = "1024" };

    [Fact]
    public async Task ClientAgreesOnLz4AndRoundTrips()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: LowThreshold);
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");
        await using McpZeroClient client = await daemon.ConnectAsync();
        byte[] input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{{\"sensor\":{i % 17},\"ok\":true}}")));

        ExecResponse echo = await client.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agentId, Method = "echo", Input = input }).WaitAsync(Daemon.CommandTimeout);

        Assert.Equal(CompressionCodec.Lz4, client.Compression);
        Assert.Equal("lz4", client.Server!.CompressionCodec);
        Assert.Equal(1024, client.Server.CompressionThresholdBytes);
        Assert.Equal(input, echo.Output);
    }

    [Fact]
    public async Task CompressedFramesTravelBothWays()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: LowThreshold);
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");
        (RawConnection connection, HelloResponse hello) = await RawConnection.ConnectWithHelloAsync(daemon, "zstd", "lz4");
        await using RawConnection raw = connection;
        byte[] input = Encoding.UTF8.GetBytes(new string('x', 50_000));
        byte[] frame = RawConnection.CompressedFrame(2, new AgentExecRequest { AgentId = agentId, Method = "echo", Input = input });

        await raw.SendAsync(frame);
        (FrameHeader header, IResponse response) = await raw.ReadAsync();

        Assert.Equal("lz4", hello.CompressionCodec);
        Assert.True(frame.Length < 5_000, $"the request frame was not compressed: {frame.Length} bytes");
        Assert.True((header.Flags & FrameFlags.Compressed) != 0, "the response frame is not compressed");
        Assert.True(header.BodyLength < 5_000, $"the compressed response body is {header.BodyLength} bytes");
        Assert.Equal(input, Assert.IsType<ExecResponse>(response).Output);
    }

    [Fact]
    public async Task ClientWithoutCodecsGetsPlainFrames()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: LowThreshold);
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");
        (RawConnection connection, HelloResponse hello) = await RawConnection.ConnectWithHelloAsync(daemon);
        await using RawConnection raw = connection;

        await raw.SendAsync(RawConnection.Frame(2, new AgentExecRequest { AgentId = agentId, Method = "echo", Input = new byte[20_000] }));
        (FrameHeader header, IResponse response) = await raw.ReadAsync();

        Assert.Equal("", hello.CompressionCodec);
        Assert.Equal(0, hello.CompressionThresholdBytes);
        Assert.Equal(FrameFlags.Response, header.Flags);
        Assert.Equal(20_000, Assert.IsType<ExecResponse>(response).Output.Length);
    }

    [Fact]
    public async Task CompressedFrameWithoutAgreementClosesConnection()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon);
        await using RawConnection raw = connection;

        await raw.SendAsync(RawConnection.CompressedFrame(2, new AgentShowRequest { AgentId = new string('a', 4000) }));

        ErrorResponse error = Assert.IsType<ErrorResponse>((await raw.ReadAsync()).Response);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Contains("no compression codec was agreed", error.Message);
        await raw.AssertClosedAsync();
    }

    [Fact]
    public async Task DeclaredLengthOverLimitIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon, "lz4");
        await using RawConnection raw = connection;

        // 3 MiB of zeros compress to a few KiB, but decompress past the exec limit of about 1 MiB.
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new AgentExecRequest { AgentId = "a-1", Method = "echo", Input = new byte[3 << 20] });
        await raw.SendAsync(BuildCompressedFrame(2, MessageTypes.AgentExec, body, declaredLength: (uint)body.Length));
        (FrameHeader header, IResponse response) = await raw.ReadAsync();

        Assert.Equal(2u, header.RequestId);
        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.Equal(ErrorCode.PayloadTooLarge, error.Code);
        Assert.Contains($"is {body.Length} bytes", error.Message);
        await raw.SendAsync(RawConnection.Frame(3, new StatusRequest()));
        Assert.IsType<StatusResponse>((await raw.ReadAsync()).Response);
    }

    [Fact]
    public async Task BodyLargerThanDeclaredLengthClosesConnection()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon, "lz4");
        await using RawConnection raw = connection;

        // The body decodes to 3 MiB but declares 100 bytes: decompression stops at the declared size.
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new AgentExecRequest { AgentId = "a-1", Method = "echo", Input = new byte[3 << 20] });
        await raw.SendAsync(BuildCompressedFrame(2, MessageTypes.AgentExec, body, declaredLength: 100));

        ErrorResponse error = Assert.IsType<ErrorResponse>((await raw.ReadAsync()).Response);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Contains("does not decode to its declared 100 bytes", error.Message);
        await raw.AssertClosedAsync();
        await daemon.OkAsync("status");
    }

    private static byte[] BuildCompressedFrame(uint requestId, ushort messageType, byte[] body, uint declaredLength)
    {
        byte[] compressed = new byte[LZ4Codec.MaximumOutputSize(body.Length)];
        int compressedLength = LZ4Codec.Encode(body, compressed, LZ4Level.L00_FAST);
        byte[] frame = new byte[FrameHeader.Size + FrameCompression.LengthPrefixBytes + compressedLength];
        new FrameHeader(FrameHeader.CurrentVersion, FrameFlags.Compressed, messageType, requestId, (uint)(FrameCompression.LengthPrefixBytes + compressedLength)).Write(frame);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(FrameHeader.Size), declaredLength);
        compressed.AsSpan(0, compressedLength).CopyTo(frame.AsSpan(FrameHeader.Size + FrameCompression.LengthPrefixBytes));
        return frame;
    }
}
