using System.Collections.Concurrent;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Server;

/// <summary>Cancel requests, payload limits and the connection's compression codec.</summary>
internal sealed partial class ClientConnection
{
    // Requests in flight that a CancelRequest can stop, by request id.
    private readonly ConcurrentDictionary<uint, CancellationTokenSource> _cancellable = new();

    // Chosen at hello. Frames before and including the hello response are never compressed.
    private CompressionCodec _codec;

    /// <summary>
    /// Returns a source that a cancel for <paramref name="requestId"/> triggers, or null when a
    /// request with the same id is still in flight, which makes the second one not cancellable.
    /// </summary>
    private CancellationTokenSource? RegisterCancellable(uint requestId)
    {
        var source = new CancellationTokenSource();
        return _cancellable.TryAdd(requestId, source) ? source : null;
    }

    private void UnregisterCancellable(uint requestId, CancellationTokenSource? source)
    {
        if (source is not null)
        {
            _cancellable.TryRemove(new KeyValuePair<uint, CancellationTokenSource>(requestId, source));
        }
    }

    // Runs on the read loop, so the cancel overtakes nothing that was sent after it. The token's
    // callbacks run on the thread pool.
    private void HandleCancel(uint requestId, CancelRequest cancel)
    {
        string message;
        if (_cancellable.TryGetValue(cancel.RequestId, out CancellationTokenSource? source))
        {
            Log.RequestCancelled(_logger, _id, cancel.RequestId);
            _ = source.CancelAsync();
            message = $"cancelling request {cancel.RequestId}";
        }
        else
        {
            message = $"request {cancel.RequestId} is not in flight on this connection, so there was nothing to cancel";
        }

        Interlocked.Increment(ref _inFlight);
        _ = SendAndFinishAsync(requestId, new OkResponse { Message = message });
    }

    // A client built before compression reads only the first three hello members, and MemoryPack
    // rejects the longer object, so it gets the old shape and no compression.
    private async Task SendHelloVersion1Async(uint requestId)
    {
        try
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                new HelloResponseVersion1
                {
                    ProtocolVersion = ProtocolInfo.Version,
                    ServerVersion = ServerInfo.Version,
                    MaxFrameBytes = _options.MaxFrameBytes,
                }.WriteFrame(_writer, requestId);
                await _writer.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Log.ResponseDropped(_logger, _id, requestId, ex.Message);
        }
        finally
        {
            RequestFinished();
        }
    }

    private static ErrorResponse CancelledError(IRequest request) => RequestDispatcher.Error(
        ErrorCode.Cancelled,
        $"the {MessageNames.Request(request.MessageType)} request was cancelled by the client");

    // The body was read whole and is dropped, so the connection stays usable.
    private void RejectPayload(in FrameHeader header, uint payloadLength, uint limit)
    {
        string name = MessageNames.Request(header.MessageType);
        string message = $"the {name} request body is {payloadLength} bytes, over its limit of {limit} bytes; " +
            $"send less data, or raise {PayloadLimits.SectionName}:{name} in the daemon's configuration (at most MaxFrameBytes, {_options.MaxFrameBytes})";
        Log.PayloadRejected(_logger, _id, header.RequestId, name, payloadLength, limit);
        Interlocked.Increment(ref _inFlight);
        _ = SendAndFinishAsync(header.RequestId, RequestDispatcher.Error(ErrorCode.PayloadTooLarge, message));
    }
}
