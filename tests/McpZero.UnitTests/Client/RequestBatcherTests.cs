using System.Text;
using McpZero.Client;
using McpZero.Client.Internal;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.UnitTests.Client;

public sealed class RequestBatcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task LoneRequestGoesAsPlainFrame()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);

        IResponse response = await batcher.SendAsync(Exec("alone"), CancellationToken.None).AsTask().WaitAsync(Timeout);

        IRequest frame = Assert.Single(channel.Frames);
        Assert.IsType<AgentExecRequest>(frame);
        Assert.Equal("alone", Output(response));
        Assert.Equal(0, batcher.BatchFrames);
    }

    [Fact]
    public async Task QueuedRequestsShareOneBatch()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        Task<IResponse>[] queued = [.. Enumerable.Range(0, 5).Select(i => batcher.SendAsync(Exec($"queued {i}"), CancellationToken.None).AsTask())];
        Assert.Single(channel.Frames);
        channel.ReleaseWrite();
        IResponse[] responses = await Task.WhenAll(queued).WaitAsync(Timeout);
        await first.WaitAsync(Timeout);

        Assert.Equal(2, channel.Frames.Count);
        BatchRequest batch = Assert.IsType<BatchRequest>(channel.Frames[1]);
        Assert.Equal(5, batch.Requests.Length);
        for (int i = 0; i < responses.Length; i++)
        {
            Assert.Equal($"queued {i}", Output(responses[i]));
        }

        Assert.Equal("first", Output(await first));
        Assert.Equal(1, batcher.BatchFrames);
    }

    [Fact]
    public async Task SingleQueuedRequestGoesPlain()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        Task<IResponse> second = batcher.SendAsync(Exec("second"), CancellationToken.None).AsTask();
        channel.ReleaseWrite();
        await Task.WhenAll(first, second).WaitAsync(Timeout);

        Assert.Equal(2, channel.Frames.Count);
        Assert.IsType<AgentExecRequest>(channel.Frames[1]);
        Assert.Equal("second", Output(await second));
    }

    [Fact]
    public async Task BatchesStopAtMaxRequests()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 2, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        Task<IResponse>[] queued = [.. Enumerable.Range(0, 5).Select(i => batcher.SendAsync(Exec($"queued {i}"), CancellationToken.None).AsTask())];
        channel.ReleaseWrite();
        IResponse[] responses = await Task.WhenAll(queued).WaitAsync(Timeout);
        await first.WaitAsync(Timeout);

        IRequest[] frames = [.. channel.Frames.Skip(1)];
        Assert.Equal([2, 2, 1], frames.Select(frame => frame is BatchRequest batch ? batch.Requests.Length : 1));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"queued {i}"), responses.Select(Output));
    }

    [Fact]
    public async Task LargeRequestGoesAlone()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        string large = new('x', 2000);
        Task<IResponse> big = batcher.SendAsync(Exec(large), CancellationToken.None).AsTask();
        Task<IResponse> small1 = batcher.SendAsync(Exec("small 1"), CancellationToken.None).AsTask();
        Task<IResponse> small2 = batcher.SendAsync(Exec("small 2"), CancellationToken.None).AsTask();
        channel.ReleaseWrite();
        await Task.WhenAll(first, big, small1, small2).WaitAsync(Timeout);

        IRequest[] frames = [.. channel.Frames];
        Assert.Equal(3, frames.Length);
        AgentExecRequest alone = Assert.IsType<AgentExecRequest>(frames[1]);
        Assert.Equal(2000, alone.Input.Length);
        Assert.Equal(2, Assert.IsType<BatchRequest>(frames[2]).Requests.Length);
        Assert.Equal(large, Output(await big));
        Assert.Equal("small 2", Output(await small2));
    }

    [Fact]
    public async Task ServerFrameLimitBoundsBatch()
    {
        var channel = new FakeFrameChannel { MaxFrameBytes = 1200 };
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        // Each request serializes to about 230 bytes and half the server's limit is 600, so two fit in a batch and three do not.
        Task<IResponse>[] queued = [.. Enumerable.Range(0, 3).Select(i => batcher.SendAsync(Exec(new string((char)('a' + i), 200)), CancellationToken.None).AsTask())];
        channel.ReleaseWrite();
        await Task.WhenAll(queued).WaitAsync(Timeout);
        await first.WaitAsync(Timeout);

        IRequest[] frames = [.. channel.Frames.Skip(1)];
        Assert.Equal([2, 1], frames.Select(frame => frame is BatchRequest batch ? batch.Requests.Length : 1));
    }

    [Fact]
    public async Task CancelledQueuedRequestIsNotWritten()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();
        using var cancel = new CancellationTokenSource();

        Task<IResponse> cancelled = batcher.SendAsync(Exec("cancelled"), cancel.Token).AsTask();
        Task<IResponse> remaining = batcher.SendAsync(Exec("remaining"), CancellationToken.None).AsTask();
        cancel.Cancel();
        channel.ReleaseWrite();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        Assert.Equal("remaining", Output(await remaining.WaitAsync(Timeout)));
        await first.WaitAsync(Timeout);
        Assert.DoesNotContain(channel.Frames, frame => frame is AgentExecRequest exec && Encoding.UTF8.GetString(exec.Input) == "cancelled");
        Assert.Equal(2, channel.Frames.Count);
    }

    [Fact]
    public async Task BatchErrorReachesEveryRequest()
    {
        var channel = new FakeFrameChannel { BatchReply = new ErrorResponse { Code = ErrorCode.BadRequest, Message = "rejected batch" } };
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        Task<IResponse>[] queued = [.. Enumerable.Range(0, 3).Select(i => batcher.SendAsync(Exec($"queued {i}"), CancellationToken.None).AsTask())];
        channel.ReleaseWrite();
        IResponse[] responses = await Task.WhenAll(queued).WaitAsync(Timeout);
        await first.WaitAsync(Timeout);

        Assert.All(responses, response => Assert.Equal(ErrorCode.BadRequest, Assert.IsType<ErrorResponse>(response).Code));
    }

    [Fact]
    public async Task MismatchedBatchReplyFailsRequests()
    {
        var channel = new FakeFrameChannel { BatchReply = new BatchResponse { Responses = [new OkResponse()] } };
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();

        Task<IResponse> a = batcher.SendAsync(Exec("a"), CancellationToken.None).AsTask();
        Task<IResponse> b = batcher.SendAsync(Exec("b"), CancellationToken.None).AsTask();
        channel.ReleaseWrite();
        await first.WaitAsync(Timeout);

        McpZeroServerException error = await Assert.ThrowsAsync<McpZeroServerException>(() => a.WaitAsync(Timeout));
        Assert.Equal(ErrorCode.Internal, error.Code);
        Assert.Contains("batch of 2 requests with 1 responses", error.Message);
        await Assert.ThrowsAsync<McpZeroServerException>(() => b.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ClosedChannelFailsQueuedRequests()
    {
        var channel = new FakeFrameChannel();
        var batcher = new RequestBatcher(channel, maxRequests: 64, maxBytes: 64 * 1024);
        channel.HoldNextWrite();
        Task<IResponse> first = batcher.SendAsync(Exec("first"), CancellationToken.None).AsTask();
        channel.Closed = true;

        Task<IResponse> queued = batcher.SendAsync(Exec("queued"), CancellationToken.None).AsTask();

        McpZeroConnectionException error = await Assert.ThrowsAsync<McpZeroConnectionException>(() => queued.WaitAsync(Timeout));
        Assert.True(error.NotSent);
        channel.ReleaseWrite();
        await first.WaitAsync(Timeout);
        Assert.Single(channel.Frames);
    }

    private static AgentExecRequest Exec(string input) =>
        new() { AgentId = "a-test", Method = "echo", Input = Encoding.UTF8.GetBytes(input) };

    private static string Output(IResponse response) =>
        Encoding.UTF8.GetString(Assert.IsType<ExecResponse>(response).Output);
}
