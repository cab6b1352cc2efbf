using McpZero.Client;
using McpZero.Client.Internal;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.UnitTests.Client;

/// <summary>
/// A frame channel in memory. It records every frame written, can hold a write open until the test
/// releases it, and replies to an exec with its input as output.
/// </summary>
internal sealed class FakeFrameChannel : IFrameChannel
{
    private readonly object _gate = new();
    private readonly List<IRequest> _frames = [];
    private TaskCompletionSource _writeReleased = CompletedSource();
    private TaskCompletionSource _idle = CompletedSource();
    private bool _holdNextWrite;

    public uint MaxFrameBytes { get; set; }

    public bool Closed { get; set; }

    /// <summary>The reply to a whole batch frame, or null to reply to each request inside it.</summary>
    public IResponse? BatchReply { get; set; }

    public bool IsWriting
    {
        get
        {
            lock (_gate)
            {
                return !_writeReleased.Task.IsCompleted;
            }
        }
    }

    public IReadOnlyList<IRequest> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Makes the next frame's write stay in progress until <see cref="ReleaseWrite"/>.</summary>
    public void HoldNextWrite()
    {
        lock (_gate)
        {
            _holdNextWrite = true;
        }
    }

    public void ReleaseWrite()
    {
        TaskCompletionSource released;
        TaskCompletionSource idle;
        lock (_gate)
        {
            released = _writeReleased;
            idle = _idle;
        }

        released.TrySetResult();
        idle.TrySetResult();
    }

    public Task WaitForWriterAsync()
    {
        if (Closed)
        {
            throw new ObjectDisposedException(nameof(FakeFrameChannel));
        }

        lock (_gate)
        {
            return _idle.Task;
        }
    }

    public async Task<IResponse> SendFrameAsync(IRequest request, CancellationToken cancellationToken)
    {
        Task written;
        lock (_gate)
        {
            _frames.Add(request);
            if (_holdNextWrite)
            {
                _holdNextWrite = false;
                _writeReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            written = _writeReleased.Task;
        }

        await written.ConfigureAwait(false);
        return request is BatchRequest batch
            ? BatchReply ?? new BatchResponse { Responses = [.. batch.Requests.Select(Reply)] }
            : Reply(request);
    }

    private static IResponse Reply(IRequest request) => request switch
    {
        AgentExecRequest exec => new ExecResponse { Output = exec.Input, Plugin = exec.AgentId },
        _ => new ErrorResponse { Code = ErrorCode.BadRequest, Message = $"the fake channel does not answer message type {request.MessageType}" },
    };

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
