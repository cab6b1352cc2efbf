using McpZero.Client.Internal;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Client;

public sealed partial class McpZeroClient : IMcpZeroClient, IFrameChannel
{
    private readonly RequestBatcher? _batcher;
    private RetryRunner? _retry;

    /// <summary>The options this connection was opened with.</summary>
    public McpZeroClientOptions Options { get; }

    /// <summary>
    /// Whether the connection is open. False once the daemon closed it, it broke or it was disposed;
    /// a closed client cannot reconnect, but a <see cref="McpZeroConnectionPool"/> replaces it.
    /// </summary>
    public bool IsConnected => Volatile.Read(ref _failure) is null && !_closing.IsCancellationRequested;

    /// <summary>The number of batch frames this connection has written; 0 when <see cref="McpZeroClientOptions.AutoBatch"/> is off.</summary>
    public long BatchFramesSent => _batcher?.BatchFrames ?? 0;

    bool IFrameChannel.IsWriting => _writeLock.CurrentCount == 0;

    uint IFrameChannel.MaxFrameBytes => Server?.MaxFrameBytes ?? 0;

    private RetryRunner Retry => _retry ??= new RetryRunner(Options.Retry);

    /// <summary>Connects to the daemon's socket with the default options and exchanges hello.</summary>
    /// <param name="socketPath">The daemon's Unix socket.</param>
    /// <param name="clientName">The name sent in hello, which the daemon writes to its log.</param>
    /// <param name="cancellationToken">Cancels the connect and the hello exchange.</param>
    /// <exception cref="McpZeroConnectionException">
    /// Nothing listens on <paramref name="socketPath"/>, the path does not exist or is too long for a Unix socket.
    /// </exception>
    public static ValueTask<McpZeroClient> ConnectAsync(string socketPath, string clientName = "mcpzero-client", CancellationToken cancellationToken = default) =>
        ConnectAsync(socketPath, new McpZeroClientOptions { ClientName = clientName }, cancellationToken);

    /// <summary>
    /// Sends a request once and returns the server's response, which may be an <see cref="ErrorResponse"/>.
    /// With <see cref="McpZeroClientOptions.AutoBatch"/> on, a request that waits behind another
    /// write travels in a batch frame with others; its response is the same.
    /// </summary>
    /// <remarks>
    /// Busy responses are returned, not retried: use <see cref="RequestAsync{TResponse}"/> for the
    /// retry policy. Cancelling stops the wait for the response and sends a <see cref="CancelRequest"/>,
    /// so the daemon stops the request too. A request that went out inside a batch frame is not
    /// cancelled on the daemon and runs to its end.
    /// </remarks>
    /// <exception cref="McpZeroServerException">
    /// The request is larger than the server's <see cref="HelloResponse.MaxFrameBytes"/>, with code
    /// <see cref="ErrorCode.FrameTooLarge"/>. Nothing is sent and the connection stays usable.
    /// </exception>
    /// <exception cref="McpZeroConnectionException">The connection is closed or sending failed.</exception>
    public ValueTask<IResponse> SendAsync(IRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new McpZeroConnectionException(SocketPath, $"the connection to '{SocketPath}' is closed: {failure.Message}", failure) { NotSent = true };
        }

        return _batcher is not null
            ? _batcher.SendAsync(request, cancellationToken)
            : new ValueTask<IResponse>(SendFrameAsync(request, cancellationToken));
    }

    /// <summary>
    /// Sends <paramref name="requests"/> in one batch frame and returns one response per request,
    /// in the same order. A request that failed has an <see cref="ErrorResponse"/> in its place.
    /// </summary>
    /// <exception cref="McpZeroServerException">The server rejected the batch as a whole, for example because it contains more than <see cref="BatchRequest.MaxRequests"/> requests.</exception>
    public async ValueTask<IResponse[]> SendBatchAsync(IReadOnlyList<IRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        BatchResponse batch = await RequestOnceAsync<BatchResponse>(new BatchRequest { Requests = [.. requests] }, cancellationToken).ConfigureAwait(false);
        if (batch.Responses.Length != requests.Count)
        {
            throw new McpZeroServerException(ErrorCode.Internal, $"the server replied to a batch of {requests.Count} requests with {batch.Responses.Length} responses");
        }

        return batch.Responses;
    }

    /// <summary>
    /// Sends a request and returns its typed response. A Busy error is retried under
    /// <see cref="McpZeroClientOptions.Retry"/>, honouring the server's retry-after hint.
    /// </summary>
    /// <exception cref="McpZeroServerException">The server returned an error, or Busy after the last attempt.</exception>
    /// <exception cref="McpZeroConnectionException">The connection is closed or sending failed.</exception>
    public async ValueTask<TResponse> RequestAsync<TResponse>(IRequest request, CancellationToken cancellationToken = default)
        where TResponse : class, IResponse
    {
        IResponse response = await Retry.SendAsync(
            (_, token) => SendAsync(request, token),
            RetryOn.Busy,
            cancellationToken).ConfigureAwait(false);
        return ResponseConverter.Expect<TResponse>(response);
    }

    /// <summary>Sends a request once, with no retry, and returns its typed response.</summary>
    internal async ValueTask<TResponse> RequestOnceAsync<TResponse>(IRequest request, CancellationToken cancellationToken)
        where TResponse : class, IResponse
    {
        IResponse response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return ResponseConverter.Expect<TResponse>(response);
    }

    private RequestBatcher? CreateBatcher(McpZeroClientOptions options) =>
        options.AutoBatch ? new RequestBatcher(this, options.MaxBatchRequests, options.MaxBatchBytes) : null;

    async Task IFrameChannel.WaitForWriterAsync()
    {
        await _writeLock.WaitAsync(_closing.Token).ConfigureAwait(false);
        _writeLock.Release();
    }

    Task<IResponse> IFrameChannel.SendFrameAsync(IRequest request, CancellationToken cancellationToken) =>
        SendFrameAsync(request, cancellationToken);
}
