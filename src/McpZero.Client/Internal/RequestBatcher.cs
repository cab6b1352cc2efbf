using System.Buffers;
using System.Collections.Concurrent;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.Client.Internal;

/// <summary>
/// Packs requests that wait behind a frame being written into one <see cref="BatchRequest"/>, and
/// hands each caller its own response from the <see cref="BatchResponse"/>.
/// </summary>
/// <remarks>
/// A request that finds the channel idle and nothing queued is written at once as a plain frame, so
/// a lone request gets no added delay and no timer runs. Otherwise it joins a queue, and one drain
/// loop at a time waits for the current write to end, then sends everything queued: one request as a
/// plain frame, several as one batch frame. Requests larger than the batch size limit, hello and
/// batch requests always go alone. Thread-safe.
/// </remarks>
internal sealed class RequestBatcher
{
    private readonly IFrameChannel _channel;
    private readonly int _maxRequests;
    private readonly int _maxBytes;
    private readonly ConcurrentQueue<QueuedRequest> _queue = new();
    private readonly ArrayBufferWriter<byte> _sizeBuffer = new(1024);
    private int _draining;
    private long _batchFrames;
    private long _plainFrames;

    public RequestBatcher(IFrameChannel channel, int maxRequests, int maxBytes)
    {
        _channel = channel;
        _maxRequests = maxRequests;
        _maxBytes = maxBytes;
    }

    /// <summary>The number of batch frames written so far.</summary>
    public long BatchFrames => Interlocked.Read(ref _batchFrames);

    /// <summary>The number of plain frames written so far, including requests that were queued but went alone.</summary>
    public long PlainFrames => Interlocked.Read(ref _plainFrames);

    /// <summary>Sends <paramref name="request"/> alone or in a batch and returns its response.</summary>
    public async ValueTask<IResponse> SendAsync(IRequest request, CancellationToken cancellationToken)
    {
        if (request is HelloRequest or BatchRequest || (!_channel.IsWriting && _queue.IsEmpty))
        {
            Interlocked.Increment(ref _plainFrames);
            return await _channel.SendFrameAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var queued = new QueuedRequest(request);
        _queue.Enqueue(queued);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = DrainAsync();
        }

        // A request cancelled while queued is skipped by the drain loop; once written, only the
        // wait for its response is abandoned.
        using (cancellationToken.Register(static state => ((QueuedRequest)state!).Completion.TrySetCanceled(), queued))
        {
            return await queued.Completion.Task.ConfigureAwait(false);
        }
    }

    private async Task DrainAsync()
    {
        var drained = new List<QueuedRequest>(_maxRequests);
        try
        {
            while (true)
            {
                await _channel.WaitForWriterAsync().ConfigureAwait(false);

                drained.Clear();
                TakeQueued(drained, out QueuedRequest? tooLarge);
                if (tooLarge is not null)
                {
                    Interlocked.Increment(ref _plainFrames);
                    _ = ForwardAsync(tooLarge, _channel.SendFrameAsync(tooLarge.Request, CancellationToken.None));
                }

                if (drained.Count == 1)
                {
                    Interlocked.Increment(ref _plainFrames);
                    _ = ForwardAsync(drained[0], _channel.SendFrameAsync(drained[0].Request, CancellationToken.None));
                }
                else if (drained.Count > 1)
                {
                    Interlocked.Increment(ref _batchFrames);
                    var batch = new BatchRequest { Requests = drained.Select(static item => item.Request).ToArray() };
                    _ = FanOutAsync(drained.ToArray(), _channel.SendFrameAsync(batch, CancellationToken.None));
                }

                if (drained.Count == 0 && tooLarge is null)
                {
                    // Stop draining, unless a request was queued after the queue was found empty
                    // and its sender saw this loop still running.
                    Volatile.Write(ref _draining, 0);
                    if (_queue.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException or McpZeroConnectionException)
        {
            var failure = ex as McpZeroConnectionException
                ?? new McpZeroConnectionException("", "the connection is closed", ex) { NotSent = true };
            while (_queue.TryDequeue(out QueuedRequest? queued))
            {
                queued.Completion.TrySetException(failure);
            }

            Volatile.Write(ref _draining, 0);
        }
    }

    /// <summary>
    /// Moves queued requests into <paramref name="drained"/> until the batch is full. A request too large
    /// to share a frame is returned in <paramref name="tooLarge"/> and ends the batch.
    /// </summary>
    private void TakeQueued(List<QueuedRequest> drained, out QueuedRequest? tooLarge)
    {
        tooLarge = null;
        uint serverMax = _channel.MaxFrameBytes;
        long limit = serverMax > 0 ? Math.Min(_maxBytes, serverMax / 2) : _maxBytes;
        long bytes = 0;

        while (drained.Count < _maxRequests && _queue.TryPeek(out QueuedRequest? next))
        {
            if (next.Completion.Task.IsCompleted)
            {
                // Cancelled while it waited, so it is never written.
                _queue.TryDequeue(out _);
                continue;
            }

            int size = MeasureSize(next.Request);
            if (size > limit)
            {
                _queue.TryDequeue(out _);
                tooLarge = next;
                return;
            }

            if (bytes + size > limit)
            {
                return;
            }

            _queue.TryDequeue(out _);
            drained.Add(next);
            bytes += size;
        }
    }

    private int MeasureSize(IRequest request)
    {
        // Only the drain loop calls this, one at a time, so the buffer is not shared.
        if (_sizeBuffer.Capacity > 1024 * 1024)
        {
            _sizeBuffer.Clear();
        }

        _sizeBuffer.ResetWrittenCount();
        MemoryPackSerializer.Serialize(_sizeBuffer, request);
        return _sizeBuffer.WrittenCount;
    }

    private static async Task ForwardAsync(QueuedRequest queued, Task<IResponse> sending)
    {
        try
        {
            queued.Completion.TrySetResult(await sending.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            queued.Completion.TrySetException(ex);
        }
    }

    private static async Task FanOutAsync(QueuedRequest[] batch, Task<IResponse> sending)
    {
        IResponse response;
        try
        {
            response = await sending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (QueuedRequest queued in batch)
            {
                queued.Completion.TrySetException(ex);
            }

            return;
        }

        switch (response)
        {
            case BatchResponse { Responses: { } responses } when responses.Length == batch.Length:
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i].Completion.TrySetResult(responses[i]);
                }

                break;

            case ErrorResponse error:
                // The daemon rejected the batch as a whole, so no request in it ran.
                foreach (QueuedRequest queued in batch)
                {
                    queued.Completion.TrySetResult(error);
                }

                break;

            default:
                var mismatch = new McpZeroServerException(
                    ErrorCode.Internal,
                    $"the daemon replied to a batch of {batch.Length} requests with {Describe(response)}");
                foreach (QueuedRequest queued in batch)
                {
                    queued.Completion.TrySetException(mismatch);
                }

                break;
        }
    }

    private static string Describe(IResponse response) => response is BatchResponse batch
        ? $"{batch.Responses?.Length ?? 0} responses"
        : $"message type {response.MessageType}";

    private sealed class QueuedRequest(IRequest request)
    {
        public IRequest Request { get; } = request;

        public TaskCompletionSource<IResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
