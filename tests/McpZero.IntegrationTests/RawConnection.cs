using System.Buffers;
using System.Net.Sockets;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.IntegrationTests;

/// <summary>A client socket that writes and reads frames byte by byte, for tests that need frames the client library does not send.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly Socket _socket;

    private RawConnection(Socket socket) => _socket = socket;

    public static async Task<RawConnection> ConnectAsync(Daemon daemon)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath)).WithTimeout();
        return new RawConnection(socket);
    }

    /// <summary>Connects and exchanges hello, offering <paramref name="codecs"/>.</summary>
    public static async Task<(RawConnection Connection, HelloResponse Hello)> ConnectWithHelloAsync(Daemon daemon, params string[] codecs)
    {
        RawConnection connection = await ConnectAsync(daemon);
        await connection.SendAsync(Frame(1, new HelloRequest { ClientName = "raw-test", CompressionCodecs = codecs }));
        HelloResponse hello = Assert.IsType<HelloResponse>((await connection.ReadAsync()).Response);
        return (connection, hello);
    }

    public static byte[] Frame(uint requestId, IRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteRequest(buffer, requestId, request);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Builds a request frame compressed with LZ4 whenever that makes it shorter, whatever its size.</summary>
    public static byte[] CompressedFrame(uint requestId, IRequest request)
    {
        byte[] body = MemoryPackSerializer.Serialize(request);
        var buffer = new ArrayBufferWriter<byte>();
        FrameCompression.WriteFrame(buffer, FrameFlags.None, request.MessageType, requestId, body, CompressionCodec.Lz4, thresholdBytes: 0);
        return buffer.WrittenSpan.ToArray();
    }

    public Task SendAsync(byte[] bytes) => _socket.SendAsync(bytes).WithTimeout();

    /// <summary>Reads one response frame and decodes its body, decompressing it when the frame has the compressed flag.</summary>
    public async Task<(FrameHeader Header, IResponse Response)> ReadAsync()
    {
        byte[] headerBytes = await ReadExactlyAsync(FrameHeader.Size);
        Assert.True(FrameHeader.TryParse(headerBytes, out FrameHeader header, out _), "response header has the wrong magic");
        Assert.True(header.IsResponse);
        byte[] body = await ReadExactlyAsync((int)header.BodyLength);
        Assert.True(
            FrameCompression.TryDecodeBody(header, new ReadOnlySequence<byte>(body), CompressionCodec.Lz4, uint.MaxValue, out ReadOnlySequence<byte> payload, out byte[]? rented, out FrameError error),
            error.Message);
        IResponse? response = MemoryPackSerializer.Deserialize<IResponse>(payload);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        Assert.NotNull(response);
        Assert.Equal(header.MessageType, response.MessageType);
        return (header, response);
    }

    /// <summary>Waits for the daemon to close the connection: the next read returns end of stream.</summary>
    public async Task AssertClosedAsync() => Assert.Equal(0, await _socket.ReceiveAsync(new byte[16]).WithTimeout());

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await _socket.ReceiveAsync(buffer.AsMemory(read)).WithTimeout();
            Assert.True(n > 0, $"connection closed after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }
}
