using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.Client;

/// <summary>
/// One connection to the daemon. Requests may be sent from many threads at once; each gets its
/// own request id and responses are matched by id, in whatever order the server completes them.
/// </summary>
/// <remarks>
/// Dispose closes the socket and fails every request still waiting with
/// <see cref="McpZeroConnectionException"/>.
/// </remarks>
public sealed partial class McpZeroClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<IResponse>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _readLoop;
    private ArrayBufferWriter<byte> _body = new(4096);
    private int _nextRequestId;
    private Exception? _failure;
    private ErrorResponse? _connectionError;

    private McpZeroClient(Socket socket, string socketPath, McpZeroClientOptions options)
    {
        _socket = socket;
        SocketPath = socketPath;
        Options = options;
        _batcher = CreateBatcher(options);
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>The path of the daemon's Unix socket.</summary>
    public string SocketPath { get; }

    /// <summary>The server's hello reply, set when the connection opens.</summary>
    public HelloResponse? Server { get; private set; }

    /// <summary>Connects to the daemon's socket and exchanges hello.</summary>
    /// <param name="socketPath">The daemon's Unix socket.</param>
    /// <param name="options">Batching, retry and the client name, or null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the connect and the hello exchange.</param>
    /// <exception cref="McpZeroConnectionException">
    /// Nothing listens on <paramref name="socketPath"/>, the path does not exist or is too long for a Unix socket.
    /// </exception>
    public static async ValueTask<McpZeroClient> ConnectAsync(string socketPath, McpZeroClientOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        options ??= new McpZeroClientOptions();
        options.Validate();

        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(socketPath);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new McpZeroConnectionException(socketPath, $"socket path '{socketPath}' is too long for a Unix socket (at most 107 bytes); use a shorter path", ex) { NotSent = true };
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new McpZeroConnectionException(socketPath, DescribeConnectFailure(socketPath, ex), ex) { NotSent = true };
        }

        var client = new McpZeroClient(socket, socketPath, options);
        try
        {
            client.Server = await client.RequestOnceAsync<HelloResponse>(
                new HelloRequest { ProtocolVersion = ProtocolInfo.Version, ClientName = options.ClientName, CompressionCodecs = CompressionCodecNames.Supported },
                cancellationToken).ConfigureAwait(false);
            client.UseCompression(client.Server);
        }
        catch (McpZeroConnectionException)
        {
            // The daemon may have rejected the connection (for example with Busy when it is full)
            // and closed it, which can break the hello write before the reply is read.
            ErrorResponse? rejection = await client.WaitForConnectionErrorAsync().ConfigureAwait(false);
            await client.DisposeAsync().ConfigureAwait(false);
            if (rejection is not null)
            {
                throw new McpZeroServerException(rejection.Code, rejection.Message);
            }

            throw;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    /// <summary>Writes <paramref name="request"/> as one frame and waits for its response.</summary>
    private async Task<IResponse> SendFrameAsync(IRequest request, CancellationToken cancellationToken)
    {
        uint requestId = unchecked((uint)Interlocked.Increment(ref _nextRequestId));
        var completion = new TaskCompletionSource<IResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = completion;

        if (_failure is { } failure)
        {
            _pending.TryRemove(requestId, out _);
            throw new McpZeroConnectionException(SocketPath, $"the connection to '{SocketPath}' is closed: {failure.Message}", failure);
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Serialize first so an oversized request fails here with its size. The server would
            // reply FrameTooLarge and close the connection while this side is still writing, and
            // the caller would see a broken pipe instead.
            ReadOnlySpan<byte> body = SerializeBody(request);
            uint maxFrameBytes = Server?.MaxFrameBytes ?? 0;
            if (maxFrameBytes > 0 && (uint)body.Length > maxFrameBytes)
            {
                _pending.TryRemove(requestId, out _);
                throw new McpZeroServerException(
                    ErrorCode.FrameTooLarge,
                    $"the request is {body.Length} bytes, over the daemon's maximum frame size of {maxFrameBytes} bytes; raise MaxFrameBytes in the daemon's configuration or send less data");
            }

            FrameCompression.WriteFrame(_writer, FrameFlags.None, request.MessageType, requestId, body, _codec, _compressionThresholdBytes);
            FlushResult flush = await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                throw new McpZeroConnectionException(SocketPath, $"the daemon at '{SocketPath}' closed the connection");
            }
        }
        catch (IOException ex)
        {
            _pending.TryRemove(requestId, out _);
            throw new McpZeroConnectionException(SocketPath, $"sending to '{SocketPath}' failed: {ex.Message}", ex);
        }
        finally
        {
            _writeLock.Release();
        }

        using (RegisterCancellation(requestId, completion, cancellationToken))
        {
            try
            {
                return await completion.Task.ConfigureAwait(false);
            }
            finally
            {
                _pending.TryRemove(requestId, out _);
            }
        }
    }

    /// <summary>Closes the connection and fails every request still waiting for its response.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }

        _socket.Dispose();
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        FailPending(new ObjectDisposedException(nameof(McpZeroClient)));
        _writeLock.Dispose();
        _closing.Dispose();
    }

    private static string DescribeConnectFailure(string socketPath, SocketException ex)
    {
        if (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return $"nothing is listening on '{socketPath}' (stale socket file)";
        }

        if (ex.SocketErrorCode == SocketError.AccessDenied)
        {
            return $"permission denied on the daemon socket '{socketPath}'; the daemon is running but this user may not connect: "
                + "join the socket's group (SocketGroup, default mcpzero) or ask an admin to change SocketMode";
        }

        // connect() on a missing path fails with ENOENT, which .NET reports as "Cannot assign requested address".
        if (!File.Exists(socketPath) && !Directory.Exists(socketPath))
        {
            return $"no daemon socket at '{socketPath}' (the file does not exist)";
        }

        return $"cannot connect to the daemon at '{socketPath}': {ex.Message}";
    }

    /// <summary>Serializes a request body into a buffer owned by the caller of the write lock.</summary>
    private ReadOnlySpan<byte> SerializeBody(IRequest request)
    {
        // Drop a buffer that grew for one large request, so an idle client keeps at most 1 MiB.
        if (_body.Capacity > 1024 * 1024)
        {
            _body = new ArrayBufferWriter<byte>(4096);
        }

        _body.ResetWrittenCount();
        MemoryPackSerializer.Serialize(_body, request);
        return _body.WrittenSpan;
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;

                while (true)
                {
                    FrameReadStatus status = FrameReader.TryRead(ref buffer, uint.MaxValue, out FrameHeader header, out ReadOnlySequence<byte> body, out FrameError error);
                    if (status == FrameReadStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == FrameReadStatus.Invalid || !TryReadResponse(header, body, out IResponse? response, out error))
                    {
                        throw new McpZeroConnectionException(SocketPath, $"the daemon sent an invalid frame: {error.Message}");
                    }

                    Complete(header.RequestId, response!);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    failure = new McpZeroConnectionException(SocketPath, $"the daemon at '{SocketPath}' closed the connection");
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            failure = new ObjectDisposedException(nameof(McpZeroClient));
        }
        catch (Exception ex) when (ex is IOException or SocketException or McpZeroConnectionException or ObjectDisposedException)
        {
            failure = ex;
        }

        FailPending(failure ?? new McpZeroConnectionException(SocketPath, "connection closed"));
    }

    /// <summary>Returns the connection-level error the daemon sent before closing, if any.</summary>
    private async Task<ErrorResponse?> WaitForConnectionErrorAsync()
    {
        try
        {
            // The read loop ends at the daemon's close, after any error frame sent before it.
            await _readLoop.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return Volatile.Read(ref _connectionError);
    }

    private void Complete(uint requestId, IResponse response)
    {
        if (_pending.TryRemove(requestId, out TaskCompletionSource<IResponse>? completion))
        {
            completion.TrySetResult(response);
            return;
        }

        // Request id 0 carries connection-level errors, for example a frame the server rejected
        // before it could read the id: hand it to every waiting request.
        if (requestId == 0 && response is ErrorResponse connectionError)
        {
            Volatile.Write(ref _connectionError, connectionError);
            foreach (KeyValuePair<uint, TaskCompletionSource<IResponse>> entry in _pending)
            {
                entry.Value.TrySetResult(response);
            }
        }
    }

    private void FailPending(Exception failure)
    {
        _failure ??= failure;
        foreach (KeyValuePair<uint, TaskCompletionSource<IResponse>> entry in _pending)
        {
            entry.Value.TrySetException(new McpZeroConnectionException(SocketPath, $"the connection to '{SocketPath}' closed before the reply arrived: {failure.Message}", failure));
        }
    }
}
