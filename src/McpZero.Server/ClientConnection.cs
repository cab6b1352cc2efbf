using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server.Metrics;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

/// <summary>
/// One client socket. Frames are read in order; each request then runs on the thread pool, so a
/// slow exec does not hold up the requests behind it and responses go out as they complete, each
/// tagged with its request id.
/// </summary>
/// <remarks>
/// The first frame must be a hello. A frame that cannot be parsed gets an error response and then
/// the connection closes; other connections are not affected.
/// </remarks>
internal sealed partial class ClientConnection
{
    // Protocol errors come from clients, so their log lines are limited across all connections.
    private static readonly LogRateLimiter ProtocolErrorLog = new(maxPerWindow: 20, TimeSpan.FromMinutes(1));

    private readonly long _id;
    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly DaemonMetrics _metrics;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closed;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Starts at 1 for the read loop itself, so the count reaches 0 only after reading has stopped
    // and every request has a reply.
    private int _inFlight = 1;
    private bool _helloDone;

    public ClientConnection(long id, Socket socket, RequestDispatcher dispatcher, DaemonMetrics metrics, ServerOptions options, ILogger logger, CancellationToken serverStopping)
    {
        _id = id;
        _socket = socket;
        _dispatcher = dispatcher;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _lastActivity = Stopwatch.GetTimestamp();
        _timeoutTimer = StartTimeoutTimer();
    }

    public async Task RunAsync()
    {
        Log.ConnectionOpened(_logger, _id);
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Log.ConnectionReset(_logger, _id, ex.Message);
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, _id, ex);
        }

        RequestFinished();
        await _drained.Task.ConfigureAwait(false);

        // Every request has its reply by now, so no lease can be taken after this.
        await _dispatcher.ReturnLeasesAsync(_id).ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
        _finished.TrySetResult();
    }

    /// <summary>Waits for in-flight requests until <paramref name="deadline"/>, then closes the socket.</summary>
    public async Task DrainAsync(CancellationToken deadline)
    {
        if (_finished.Task.IsCompleted)
        {
            return;
        }

        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection closed on its own meanwhile.
        }

        try
        {
            await _finished.Task.WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.DrainTimedOut(_logger, _id, Volatile.Read(ref _inFlight));
            _socket.Dispose();
        }
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (result.IsCanceled && _timeoutReason is not null)
            {
                await CloseForTimeoutAsync(result.Buffer.Length).ConfigureAwait(false);
                return;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            long received = buffer.Length;
            bool keepReading = ProcessFrames(ref buffer);
            TrackPartialFrame(received, buffer.Length);
            _reader.AdvanceTo(buffer.Start, buffer.End);

            if (!keepReading)
            {
                return;
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    Log.TruncatedFrame(_logger, _id, buffer.Length);
                }

                return;
            }
        }
    }

    // Returns false when the connection must close after a protocol error.
    private bool ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            FrameReadStatus status = FrameReader.TryRead(ref buffer, _options.MaxFrameBytes, out FrameHeader header, out ReadOnlySequence<byte> body, out FrameError error);
            if (status == FrameReadStatus.Incomplete)
            {
                return true;
            }

            if (status == FrameReadStatus.Invalid)
            {
                RejectAndClose(error);
                return false;
            }

            if ((header.Flags & FrameFlags.Compressed) != 0 && _codec == CompressionCodec.None)
            {
                RejectAndClose(new FrameError(ErrorCode.BadRequest, "the frame has the compressed flag, but no compression codec was agreed at hello", header.RequestId));
                return false;
            }

            if (!FrameCompression.TryGetPayloadLength(header, body, out uint payloadLength))
            {
                RejectAndClose(new FrameError(ErrorCode.BadRequest, "a compressed body is too short for its 4-byte uncompressed length", header.RequestId));
                return false;
            }

            // An oversized body is skipped whole, so the connection stays usable.
            uint limit = _options.PayloadLimits.For(header.MessageType);
            if (_helloDone && payloadLength > limit && !header.IsResponse && MessageTypes.IsKnownRequest(header.MessageType))
            {
                RejectPayload(header, payloadLength, limit);
                continue;
            }

            if (!FrameCompression.TryDecodeBody(header, body, _codec, limit, out ReadOnlySequence<byte> payload, out byte[]? rented, out error))
            {
                RejectAndClose(error);
                return false;
            }

            IRequest? request;
            bool parsed;
            try
            {
                parsed = MessageReader.TryReadRequest(header, payload, out request, out error);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }

            if (!parsed)
            {
                RejectAndClose(error);
                return false;
            }

            if (!_helloDone)
            {
                if (!AcceptHello(header.RequestId, request!))
                {
                    return false;
                }

                continue;
            }

            if (request is CancelRequest cancel)
            {
                HandleCancel(header.RequestId, cancel);
                continue;
            }

            // Registered before the next frame is read, so a cancel right behind the request finds it.
            CancellationTokenSource? cancellation = RegisterCancellable(header.RequestId);
            Interlocked.Increment(ref _inFlight);
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => _ = state.Connection.HandleAsync(state.RequestId, state.Request, state.Received, state.Cancellation),
                (Connection: this, header.RequestId, Request: request!, Received: Stopwatch.GetTimestamp(), Cancellation: cancellation),
                preferLocal: false);
        }
    }

    private bool AcceptHello(uint requestId, IRequest request)
    {
        if (request is not HelloRequest hello)
        {
            RejectAndClose(new FrameError(ErrorCode.BadRequest, $"the first request on a connection must be hello, not message type {request.MessageType}", requestId));
            return false;
        }

        if (hello.ProtocolVersion != ProtocolInfo.Version)
        {
            RejectAndClose(new FrameError(
                ErrorCode.UnsupportedVersion,
                $"protocol version {hello.ProtocolVersion} is not supported; this server speaks version {ProtocolInfo.Version}",
                requestId));
            return false;
        }

        _helloDone = true;
        _codec = CompressionCodecNames.Choose(hello.CompressionCodecs, _options.Compression);
        Log.HelloReceived(_logger, _id, hello.ClientName, hello.ProtocolVersion);
        Interlocked.Increment(ref _inFlight);

        if (hello.CompressionCodecs is null)
        {
            _ = SendHelloVersion1Async(requestId);
            return true;
        }

        // The hello response itself is never compressed: the client learns the codec from it.
        _ = SendAndFinishAsync(
            requestId,
            new HelloResponse
            {
                ProtocolVersion = ProtocolInfo.Version,
                ServerVersion = ServerInfo.Version,
                MaxFrameBytes = _options.MaxFrameBytes,
                CompressionCodec = CompressionCodecNames.ToName(_codec),
                CompressionThresholdBytes = _codec == CompressionCodec.None ? 0 : _options.CompressionThresholdBytes,
            },
            compress: false);
        return true;
    }

    private void RejectAndClose(FrameError error)
    {
        if (ProtocolErrorLog.TryAcquire(out long suppressed))
        {
            Log.ProtocolError(_logger, _id, error.Code, error.Message, suppressed);
        }

        Interlocked.Increment(ref _inFlight);
        _ = SendAndFinishAsync(error.RequestId, RequestDispatcher.Error(error.Code, error.Message));
    }

    private async Task HandleAsync(uint requestId, IRequest request, long receivedTimestamp, CancellationTokenSource? cancellation)
    {
        IResponse response;
        CancellationTokenSource? linked = cancellation is null ? null : CancellationTokenSource.CreateLinkedTokenSource(_closed.Token, cancellation.Token);
        try
        {
            CancellationToken waitToken = linked?.Token ?? _closed.Token;
            CancellationToken callToken = cancellation?.Token ?? default;
            response = request is BatchRequest batch
                ? await HandleBatchAsync(batch, receivedTimestamp, waitToken, callToken).ConfigureAwait(false)
                : await DispatchOneAsync(request, waitToken, callToken).ConfigureAwait(false);
        }
        finally
        {
            linked?.Dispose();
            UnregisterCancellable(requestId, cancellation);
        }

        await SendAndFinishAsync(requestId, response).ConfigureAwait(false);
        _metrics.RequestCompleted(request, (long)Stopwatch.GetElapsedTime(receivedTimestamp).TotalMicroseconds);
    }

    private async Task<IResponse> DispatchOneAsync(IRequest request, CancellationToken waitToken, CancellationToken callToken)
    {
        try
        {
            IResponse response = await _dispatcher.DispatchAsync(request, _id, waitToken, callToken).ConfigureAwait(false);
            return callToken.IsCancellationRequested && response is ErrorResponse { Code: ErrorCode.ShuttingDown } && !_closed.IsCancellationRequested
                ? CancelledError(request)
                : response;
        }
        catch (OperationCanceledException) when (callToken.IsCancellationRequested && !_closed.IsCancellationRequested)
        {
            return CancelledError(request);
        }
        catch (OperationCanceledException)
        {
            return RequestDispatcher.Error(ErrorCode.ShuttingDown, "the request was cancelled because the connection or the daemon is closing");
        }
        catch (Exception ex)
        {
            Log.RequestFailed(_logger, _id, request.MessageType, ex);
            return RequestDispatcher.Error(ErrorCode.Internal, $"internal error while handling message type {request.MessageType}: {ex.Message}");
        }
    }

    // The requests of a batch run concurrently, like requests in separate frames, and their
    // responses go back together in request order. Each inner request is recorded in the latency
    // histograms under its own type as well as the batch under its type.
    private async Task<IResponse> HandleBatchAsync(BatchRequest batch, long receivedTimestamp, CancellationToken waitToken, CancellationToken callToken)
    {
        IRequest[] requests = batch.Requests ?? [];
        if (requests.Length > BatchRequest.MaxRequests)
        {
            return RequestDispatcher.Error(ErrorCode.BadRequest, $"invalid batch: it contains {requests.Length} requests, and a batch contains at most {BatchRequest.MaxRequests}; split it into smaller batches");
        }

        var pending = new Task<IResponse>[requests.Length];
        for (int i = 0; i < requests.Length; i++)
        {
            IRequest? request = requests[i];
            pending[i] = request switch
            {
                null => Task.FromResult<IResponse>(RequestDispatcher.Error(ErrorCode.BadRequest, $"request {i} of the batch is empty")),
                _ when !CanBatch(request) => Task.FromResult<IResponse>(RequestDispatcher.Error(
                    ErrorCode.BadRequest, $"request {i} of the batch is message type {request.MessageType}, which cannot be batched (hello, batch and cancel are not allowed inside a batch)")),
                _ => DispatchOneAsync(request, waitToken, callToken),
            };
        }

        var responses = new IResponse[requests.Length];
        for (int i = 0; i < pending.Length; i++)
        {
            responses[i] = await pending[i].ConfigureAwait(false);
            if (requests[i] is { } request && CanBatch(request))
            {
                if (responses[i] is ErrorResponse error)
                {
                    _metrics.ErrorSent(error.Code);
                }

                _metrics.RequestCompleted(request, (long)Stopwatch.GetElapsedTime(receivedTimestamp).TotalMicroseconds);
            }
        }

        return new BatchResponse { Responses = responses };
    }

    private static bool CanBatch(IRequest request) => request is not (HelloRequest or BatchRequest or CancelRequest);

    private async Task SendAndFinishAsync(uint requestId, IResponse response, bool compress = true)
    {
        if (response is ErrorResponse error)
        {
            _metrics.ErrorSent(error.Code);
        }

        try
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                FrameWriter.WriteResponse(_writer, requestId, response, compress ? _codec : CompressionCodec.None, _options.CompressionThresholdBytes);
                await _writer.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Log.ResponseDropped(_logger, _id, requestId, ex.Message);
        }
        finally
        {
            RequestFinished();
        }
    }

    private void RequestFinished()
    {
        Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
    }

    private async Task CloseAsync()
    {
        await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        _closed.Cancel();
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer is already gone.
        }

        _socket.Dispose();
        _closed.Dispose();
        Log.ConnectionClosed(_logger, _id);
    }
}
