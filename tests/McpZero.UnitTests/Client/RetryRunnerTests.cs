using McpZero.Client;
using McpZero.Client.Internal;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.UnitTests.Client;

public sealed class RetryRunnerTests
{
    private static readonly McpZeroRetryPolicy Policy = new()
    {
        MaxAttempts = 3,
        BaseDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task BusyThenSuccessRetriesOnce()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0.5);
        int attempts = 0;

        IResponse response = await runner.SendAsync(
            (attempt, _) => ValueTask.FromResult<IResponse>(++attempts == 1 ? Busy(retryAfterMs: 40) : new OkResponse()),
            RetryOn.Busy | RetryOn.UnsentRequest,
            CancellationToken.None);

        Assert.IsType<OkResponse>(response);
        Assert.Equal(2, attempts);
        TimeSpan delay = Assert.Single(delays);
        Assert.Equal(TimeSpan.FromMilliseconds(50), delay);
    }

    [Fact]
    public async Task BusyEveryTimeReturnsLastBusy()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        IResponse response = await runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                return ValueTask.FromResult<IResponse>(Busy(retryAfterMs: 0));
            },
            RetryOn.Busy | RetryOn.UnsentRequest,
            CancellationToken.None);

        Assert.Equal(ErrorCode.Busy, Assert.IsType<ErrorResponse>(response).Code);
        Assert.Equal(3, attempts);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], delays);
    }

    [Fact]
    public async Task BusyNotRetriedWhenDisabled()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        IResponse response = await runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                return ValueTask.FromResult<IResponse>(Busy(retryAfterMs: 10));
            },
            RetryOn.UnsentRequest,
            CancellationToken.None);

        Assert.IsType<ErrorResponse>(response);
        Assert.Equal(1, attempts);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task OtherErrorsAreNotRetried()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        IResponse response = await runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                return ValueTask.FromResult<IResponse>(new ErrorResponse { Code = ErrorCode.PluginTimeout, Message = "timed out" });
            },
            RetryOn.Busy | RetryOn.UnsentRequest,
            CancellationToken.None);

        Assert.Equal(ErrorCode.PluginTimeout, Assert.IsType<ErrorResponse>(response).Code);
        Assert.Equal(1, attempts);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task UnsentConnectionFailureIsRetried()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        IResponse response = await runner.SendAsync(
            (attempt, _) => ++attempts == 1
                ? throw new McpZeroConnectionException("/tmp/s.sock", "closed") { NotSent = true }
                : ValueTask.FromResult<IResponse>(new OkResponse()),
            RetryOn.UnsentRequest,
            CancellationToken.None);

        Assert.IsType<OkResponse>(response);
        Assert.Equal(2, attempts);
        Assert.Single(delays);
    }

    [Fact]
    public async Task UnsentFailureNotRetriedWhenDisabled()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        await Assert.ThrowsAsync<McpZeroConnectionException>(async () => await runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                throw new McpZeroConnectionException("/tmp/s.sock", "closed") { NotSent = true };
            },
            RetryOn.Busy,
            CancellationToken.None));

        Assert.Equal(1, attempts);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task PossiblySentFailureIsNotRetried()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        await Assert.ThrowsAsync<McpZeroConnectionException>(async () => await runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                throw new McpZeroConnectionException("/tmp/s.sock", "broke while writing");
            },
            RetryOn.Busy | RetryOn.UnsentRequest,
            CancellationToken.None));

        Assert.Equal(1, attempts);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task UnsentFailureRethrownAfterLastAttempt()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        McpZeroConnectionException error = await Assert.ThrowsAsync<McpZeroConnectionException>(async () => await runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                throw new McpZeroConnectionException("/tmp/s.sock", $"attempt {attempt} refused") { NotSent = true };
            },
            RetryOn.Busy | RetryOn.UnsentRequest,
            CancellationToken.None));

        Assert.Equal(3, attempts);
        Assert.Equal("attempt 3 refused", error.Message);
        Assert.Equal(2, delays.Count);
    }

    [Fact]
    public async Task BusyConnectRejectionIsRetried()
    {
        var delays = new List<TimeSpan>();
        RetryRunner runner = Runner(delays, random: 0);
        int attempts = 0;

        IResponse response = await runner.SendAsync(
            (attempt, _) => ++attempts == 1
                ? throw new McpZeroServerException(ErrorCode.Busy, "the daemon is at MaxConnections")
                : ValueTask.FromResult<IResponse>(new OkResponse()),
            RetryOn.Busy | RetryOn.UnsentRequest,
            CancellationToken.None);

        Assert.IsType<OkResponse>(response);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task CancelDuringDelayStopsRetrying()
    {
        using var cancel = new CancellationTokenSource();
        var runner = new RetryRunner(Policy, static (delay, token) => Task.Delay(System.Threading.Timeout.Infinite, token), static () => 0);
        int attempts = 0;

        ValueTask<IResponse> sending = runner.SendAsync(
            (attempt, _) =>
            {
                attempts++;
                return ValueTask.FromResult<IResponse>(Busy(retryAfterMs: 10));
            },
            RetryOn.Busy | RetryOn.UnsentRequest,
            cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sending.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, attempts);
    }

    [Theory]
    [InlineData(1, 0.0, 50)]
    [InlineData(1, 0.5, 75)]
    [InlineData(2, 0.0, 100)]
    [InlineData(3, 0.0, 200)]
    [InlineData(5, 0.0, 500)]
    [InlineData(30, 0.999, 999.5)]
    public void DelayGrowsExponentiallyToMax(int retry, double random, double expectedMs)
    {
        TimeSpan delay = Policy.GetDelay(retry, retryAfter: null, random);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void ServerHintSetsDelay()
    {
        TimeSpan hint = TimeSpan.FromSeconds(3);

        Assert.Equal(hint, Policy.GetDelay(1, hint, 0));
        Assert.Equal(TimeSpan.FromSeconds(4.5), Policy.GetDelay(1, hint, 1));
    }

    private static RetryRunner Runner(List<TimeSpan> delays, double random) =>
        new(Policy, (delay, _) =>
        {
            delays.Add(delay);
            return Task.CompletedTask;
        }, () => random);

    private static ErrorResponse Busy(int retryAfterMs) =>
        new() { Code = ErrorCode.Busy, Message = "queue full", RetryAfterMilliseconds = retryAfterMs };
}
