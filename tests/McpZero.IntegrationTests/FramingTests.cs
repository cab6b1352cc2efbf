using System.Buffers;
using System.Net.Sockets;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.IntegrationTests;

/// <summary>Raw frames against a live daemon: splits, oversize and malformed input.</summary>
public sealed class FramingTests
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FrameSplitAtEveryByteIsAnswered()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        byte[] frames = Concat(Frame(1, new HelloRequest { ClientName = "split" }), Frame(2, new StatusRequest()));

        for (int split = 1; split < frames.Length; split++)
        {
            using Socket socket = await ConnectAsync(daemon);
            await socket.SendAsync(frames.AsMemory(0, split)).WithTimeout();
            await Task.Delay(1);
            await socket.SendAsync(frames.AsMemory(split)).WithTimeout();

            (FrameHeader helloHeader, IResponse hello) = await ReadResponseAsync(socket);
            (FrameHeader statusHeader, IResponse status) = await ReadResponseAsync(socket);
            Assert.Equal(1u, helloHeader.RequestId);
            Assert.IsType<HelloResponse>(hello);
            Assert.Equal(2u, statusHeader.RequestId);
            Assert.IsType<StatusResponse>(status);
        }
    }

    [Fact]
    public async Task FrameSentOneByteAtATimeIsAnswered()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        byte[] frames = Concat(Frame(7, new HelloRequest { ClientName = "trickle" }), Frame(8, new AgentListRequest()));
        using Socket socket = await ConnectAsync(daemon);

        for (int i = 0; i < frames.Length; i++)
        {
            await socket.SendAsync(frames.AsMemory(i, 1)).WithTimeout();
        }

        Assert.IsType<HelloResponse>((await ReadResponseAsync(socket)).Response);
        Assert.IsType<AgentListResponse>((await ReadResponseAsync(socket)).Response);
    }

    [Fact]
    public async Task OversizedFrameClosesOnlyThatConnection()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__MAXFRAMEBYTES"] = "65536" });
        await using McpZero.Client.McpZeroClient bystander = await daemon.ConnectAsync();

        using Socket socket = await ConnectAsync(daemon);
        await socket.SendAsync(Frame(1, new HelloRequest())).WithTimeout();
        await ReadResponseAsync(socket);
        var header = new FrameHeader(FrameHeader.CurrentVersion, FrameFlags.None, MessageTypes.PluginInstall, 2, 65537);
        byte[] headerBytes = new byte[FrameHeader.Size];
        header.Write(headerBytes);
        await socket.SendAsync(headerBytes).WithTimeout();

        (FrameHeader errorHeader, IResponse response) = await ReadResponseAsync(socket);
        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.Equal(2u, errorHeader.RequestId);
        Assert.Equal(ErrorCode.FrameTooLarge, error.Code);
        Assert.Contains("65536", error.Message);
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16]).WithTimeout());

        StatusResponse status = await bystander.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(IoTimeout);
        Assert.True(status.ProcessId > 0);
    }

    [Theory]
    [InlineData("bad magic")]
    [InlineData("bad version")]
    [InlineData("unknown type")]
    [InlineData("truncated body")]
    [InlineData("no hello")]
    public async Task MalformedFrameGetsAnErrorAndAClosedConnection(string kind)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        using Socket socket = await ConnectAsync(daemon);
        byte[] hello = Frame(1, new HelloRequest());
        byte[] status = Frame(2, new StatusRequest());

        byte[] payload = kind switch
        {
            "bad magic" => [.. "XX"u8, .. hello[2..]],
            "bad version" => [.. hello[..2], 99, .. hello[3..]],
            "unknown type" => Concat(hello, WithType(status, 999)),
            "truncated body" => Concat(hello, TruncateBody(Frame(3, new AgentShowRequest { AgentId = "a-0123456789" }))),
            "no hello" => status,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        await socket.SendAsync(payload).WithTimeout();

        IResponse response = (await ReadResponseAsync(socket)).Response;
        if (response is HelloResponse)
        {
            response = (await ReadResponseAsync(socket)).Response;
        }

        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.NotEqual(ErrorCode.Ok, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16]).WithTimeout());
        await daemon.OkAsync("status");
    }

    private static async Task<Socket> ConnectAsync(Daemon daemon)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath)).WithTimeout();
        return socket;
    }

    private static byte[] Frame(uint requestId, IRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteRequest(buffer, requestId, request);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] WithType(byte[] frame, ushort type)
    {
        byte[] copy = [.. frame];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(4), type);
        return copy;
    }

    // Keeps the header's body length but cuts the body short by re-declaring a shorter length,
    // so the daemon receives a whole frame whose body ends early.
    private static byte[] TruncateBody(byte[] frame)
    {
        int bodyLength = frame.Length - FrameHeader.Size;
        byte[] copy = frame[..(FrameHeader.Size + bodyLength / 2)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(12), (uint)(bodyLength / 2));
        return copy;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];

    private static async Task<(FrameHeader Header, IResponse Response)> ReadResponseAsync(Socket socket)
    {
        byte[] header = await ReadExactlyAsync(socket, FrameHeader.Size);
        Assert.True(FrameHeader.TryParse(header, out FrameHeader parsed, out _), "response header has the wrong magic");
        Assert.True(parsed.IsResponse);
        byte[] body = await ReadExactlyAsync(socket, (int)parsed.BodyLength);
        IResponse? response = MemoryPackSerializer.Deserialize<IResponse>(body);
        Assert.NotNull(response);
        Assert.Equal(parsed.MessageType, response.MessageType);
        return (parsed, response);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read)).WithTimeout();
            Assert.True(n > 0, $"connection closed after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }
}

internal static class SocketTimeouts
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    public static Task<T> WithTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(IoTimeout);

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(IoTimeout);

    public static Task WithTimeout(this ValueTask task) => task.AsTask().WaitAsync(IoTimeout);

    public static Task WithTimeout(this Task task) => task.WaitAsync(IoTimeout);
}
