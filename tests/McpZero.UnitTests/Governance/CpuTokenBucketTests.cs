using McpZero.Agents.Governance;

namespace McpZero.UnitTests.Governance;

public class CpuTokenBucketTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void NewBucketStartsFull()
    {
        var bucket = new CpuTokenBucket(0.27, TimeSpan.FromSeconds(1), new ManualTimeProvider());

        Assert.Equal(0.27, bucket.CapacitySeconds, Tolerance);
        Assert.Equal(0.27, bucket.GetBalanceSeconds(), Tolerance);
        Assert.True(bucket.CanStart());
    }

    [Fact]
    public void ChargeBeyondBalanceLeavesDebt()
    {
        var bucket = new CpuTokenBucket(0.25, TimeSpan.FromSeconds(1), new ManualTimeProvider());

        bucket.Charge(TimeSpan.FromSeconds(0.75));

        Assert.Equal(-0.5, bucket.GetBalanceSeconds(), Tolerance);
        Assert.False(bucket.CanStart());
        Assert.Equal(0.75, bucket.ChargedSeconds, Tolerance);
    }

    [Fact]
    public void DebtIsRepaidAtBudgetRate()
    {
        var clock = new ManualTimeProvider();
        var bucket = new CpuTokenBucket(0.25, TimeSpan.FromSeconds(1), clock);
        bucket.Charge(TimeSpan.FromSeconds(0.75));

        // A debt of 0.5 CPU-seconds at 0.25 cores takes 2 s of wall time.
        Assert.Equal(TimeSpan.FromSeconds(2) + TimeSpan.FromTicks(1), bucket.GetTimeUntilPositive());

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(bucket.CanStart());

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(bucket.CanStart());
        Assert.Equal(0.00025, bucket.GetBalanceSeconds(), Tolerance);
    }

    [Fact]
    public void RefillStopsAtCapacity()
    {
        var clock = new ManualTimeProvider();
        var bucket = new CpuTokenBucket(0.5, TimeSpan.FromSeconds(2), clock);
        bucket.Charge(TimeSpan.FromSeconds(0.1));

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1.0, bucket.GetBalanceSeconds(), Tolerance);
    }

    [Fact]
    public void PositiveBalanceNeedsNoWait()
    {
        var bucket = new CpuTokenBucket(1, TimeSpan.FromSeconds(1), new ManualTimeProvider());
        bucket.Charge(TimeSpan.FromSeconds(0.5));

        Assert.Equal(TimeSpan.Zero, bucket.GetTimeUntilPositive());
    }

    [Fact]
    public void NegativeChargeIsIgnored()
    {
        var bucket = new CpuTokenBucket(1, TimeSpan.FromSeconds(1), new ManualTimeProvider());

        bucket.Charge(TimeSpan.FromSeconds(-3));

        Assert.Equal(1.0, bucket.GetBalanceSeconds(), Tolerance);
        Assert.Equal(0.0, bucket.ChargedSeconds, Tolerance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void InvalidBudgetIsRejected(double budgetCores)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuTokenBucket(budgetCores, TimeSpan.FromSeconds(1), new ManualTimeProvider()));
    }
}
