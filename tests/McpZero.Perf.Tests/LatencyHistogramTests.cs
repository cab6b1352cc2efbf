using McpZero.Perf.Load;

namespace McpZero.Perf.Tests;

public class LatencyHistogramTests
{
    [Fact]
    public void EmptyHistogramReportsZero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.PercentileNanoseconds(0.99));
        Assert.Equal(0, histogram.MaxNanoseconds);
        Assert.Equal(0, histogram.MeanNanoseconds);
    }

    [Fact]
    public void SmallValuesAreExact()
    {
        var histogram = new LatencyHistogram();
        for (long value = 1; value <= 50; value++)
        {
            histogram.Record(value);
        }

        Assert.Equal(25, histogram.PercentileNanoseconds(0.5));
        Assert.Equal(50, histogram.PercentileNanoseconds(0.99));
        Assert.Equal(1, histogram.PercentileNanoseconds(0));
        Assert.Equal(1, histogram.MinNanoseconds);
        Assert.Equal(25.5, histogram.MeanNanoseconds);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    [InlineData(0.999)]
    public void PercentileOfUniformSamplesWithinBucketError(double fraction)
    {
        // One sample at each of 1..100,000 microseconds, so the exact percentile is fraction x 100,000 us.
        var histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 100_000; micros++)
        {
            histogram.Record(micros * 1000);
        }

        long exact = (long)Math.Ceiling(fraction * 100_000) * 1000;
        long reported = histogram.PercentileNanoseconds(fraction);

        Assert.True(reported >= exact, $"p{fraction * 100} reported {reported} ns, below the exact {exact} ns");
        Assert.True(reported <= exact * (1 + 1.0 / 64), $"p{fraction * 100} reported {reported} ns, more than 1/64 above the exact {exact} ns");
    }

    [Fact]
    public void PercentileNeverExceedsMax()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_001);

        Assert.Equal(1_000_001, histogram.PercentileNanoseconds(1));
        Assert.Equal(1_000_001, histogram.PercentileNanoseconds(0.5));
    }

    [Fact]
    public void OutlierShowsOnlyAboveItsRank()
    {
        var histogram = new LatencyHistogram();
        for (int i = 0; i < 999; i++)
        {
            histogram.Record(50_000);
        }

        histogram.Record(80_000_000);

        Assert.InRange(histogram.PercentileNanoseconds(0.999), 50_000, 50_000 + 50_000 / 64);
        Assert.Equal(80_000_000, histogram.PercentileNanoseconds(0.9991));
        Assert.Equal(80_000_000, histogram.MaxNanoseconds);
    }

    [Fact]
    public void NegativeValuesCountAsZero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);

        Assert.Equal(1, histogram.Count);
        Assert.Equal(0, histogram.MaxNanoseconds);
    }

    [Fact]
    public void FractionOutsideRangeThrows()
    {
        var histogram = new LatencyHistogram();

        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.PercentileNanoseconds(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.PercentileNanoseconds(-0.1));
    }

    [Fact]
    public void ConcurrentRecordsAreAllCounted()
    {
        var histogram = new LatencyHistogram();

        Parallel.For(0, 8, worker =>
        {
            for (int i = 1; i <= 10_000; i++)
            {
                histogram.Record(i * 100L);
            }
        });

        Assert.Equal(80_000, histogram.Count);
        Assert.Equal(1_000_000, histogram.MaxNanoseconds);
        Assert.Equal(100, histogram.MinNanoseconds);
    }

    [Fact]
    public void AddMergesCountsAndExtremes()
    {
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        first.Record(10);
        second.Record(5_000);
        second.Record(7);

        first.Add(second);

        Assert.Equal(3, first.Count);
        Assert.Equal(5_000, first.MaxNanoseconds);
        Assert.Equal(7, first.MinNanoseconds);
    }

    [Fact]
    public void BucketsCoverEveryValueOnce()
    {
        // Each bucket's upper bound maps back to that bucket, and the next value to the next one.
        long[] values = [0, 1, 63, 64, 65, 127, 128, 1000, 123_456_789, long.MaxValue / 2];
        foreach (long value in values)
        {
            int index = LatencyHistogram.BucketIndex(value);
            long upper = LatencyHistogram.BucketUpperBound(index);

            Assert.True(upper >= value, $"bucket {index} ends at {upper}, below {value}");
            Assert.Equal(index, LatencyHistogram.BucketIndex(upper));
            Assert.Equal(index + 1, LatencyHistogram.BucketIndex(upper + 1));
        }
    }
}
