using McpZero.Server;

namespace McpZero.UnitTests.Server;

public sealed class LogRateLimiterTests
{
    [Fact]
    public void LimiterDropsAndCountsOverflow()
    {
        var limiter = new LogRateLimiter(maxPerWindow: 2, TimeSpan.FromHours(1));

        Assert.True(limiter.TryAcquire(out long first));
        Assert.True(limiter.TryAcquire(out long second));
        Assert.False(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));

        Assert.Equal(0, first);
        Assert.Equal(0, second);
    }

    [Fact]
    public void NewWindowReportsSuppressedCount()
    {
        long now = 0;
        var limiter = new LogRateLimiter(maxPerWindow: 1, TimeSpan.FromSeconds(1), () => now);

        Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));
        now += System.Diagnostics.Stopwatch.Frequency * 2;

        Assert.True(limiter.TryAcquire(out long suppressed));
        Assert.Equal(2, suppressed);
    }
}
