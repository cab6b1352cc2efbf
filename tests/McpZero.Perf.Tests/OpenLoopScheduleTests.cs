using McpZero.Perf.Load;

namespace McpZero.Perf.Tests;

public class OpenLoopScheduleTests
{
    [Fact]
    public void DueTimesAreEvenlySpaced()
    {
        var schedule = new OpenLoopSchedule(startTimestamp: 5_000, ratePerSecond: 1000, ticksPerSecond: 1_000_000_000);

        Assert.Equal(5_000, schedule.DueTimestamp(0));
        Assert.Equal(5_000 + 1_000_000, schedule.DueTimestamp(1));
        Assert.Equal(5_000 + 1_000_000_000, schedule.DueTimestamp(1000));
    }

    [Fact]
    public void CountDueByMatchesDueTimes()
    {
        var schedule = new OpenLoopSchedule(startTimestamp: 0, ratePerSecond: 3, ticksPerSecond: 1000);

        Assert.Equal(0, schedule.CountDueBy(-1));
        Assert.Equal(1, schedule.CountDueBy(0));
        Assert.Equal(1, schedule.CountDueBy(332));
        Assert.Equal(2, schedule.CountDueBy(333));
        Assert.Equal(3, schedule.CountDueBy(667));
        Assert.Equal(4, schedule.CountDueBy(1000));
    }

    [Fact]
    public void OneSecondHoldsRateRequests()
    {
        // A run of one second, the end excluded, sends exactly the rate.
        foreach (double rate in new[] { 100.0, 1000.0, 10_000.0, 7.5 })
        {
            var schedule = new OpenLoopSchedule(startTimestamp: 42, ratePerSecond: rate, ticksPerSecond: 1_000_000_000);

            Assert.Equal((long)Math.Ceiling(rate), schedule.CountDueBy(42 + 1_000_000_000 - 1));
        }
    }

    [Fact]
    public void CountDueByMatchesEveryDueTime()
    {
        var schedule = new OpenLoopSchedule(startTimestamp: 17, ratePerSecond: 7_777, ticksPerSecond: 1_000_000_000);
        for (long index = 0; index < 5_000; index++)
        {
            long due = schedule.DueTimestamp(index);

            Assert.Equal(index + 1, schedule.CountDueBy(due));
            Assert.Equal(index, schedule.CountDueBy(due - 1));
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void InvalidRateThrows(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpenLoopSchedule(0, rate, 1_000_000_000));
    }
}
