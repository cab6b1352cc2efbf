using McpZero.Server.Metrics;

namespace McpZero.UnitTests.Metrics;

public sealed class LogLinearHistogramTests
{
    private static readonly double[] Quantiles = [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0];

    public static TheoryData<string> Distributions => new() { "uniform", "lognormal", "bimodal", "small" };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void PercentilesMatchSortedSamples(string distribution)
    {
        long[] samples = Generate(distribution, 100_000, seed: 7);
        var histogram = new LogLinearHistogram();
        foreach (long sample in samples)
        {
            histogram.Record(sample);
        }

        Array.Sort(samples);
        foreach (double quantile in Quantiles)
        {
            long exact = samples[Math.Max(0, (int)Math.Ceiling(quantile * samples.Length) - 1)];
            long estimate = histogram.ValueAtQuantile(quantile);

            // Values below 128 are exact; above, a bucket is at most 1/64 of its lower bound wide.
            double allowed = exact < 128 ? 0 : exact / 64.0;
            Assert.True(Math.Abs(estimate - exact) <= allowed,
                $"{distribution} q={quantile}: estimate {estimate}, exact {exact}, allowed error {allowed}");
        }
    }

    [Fact]
    public void CountSumAndMaxAreExact()
    {
        long[] samples = Generate("lognormal", 10_000, seed: 3);
        var histogram = new LogLinearHistogram();
        foreach (long sample in samples)
        {
            histogram.Record(sample);
        }

        Assert.Equal(samples.Length, histogram.Count);
        Assert.Equal(samples.Sum(), histogram.Sum);
        Assert.Equal(samples.Max(), histogram.Max);
        Assert.Equal(samples.Max(), histogram.ValueAtQuantile(1.0));
    }

    [Fact]
    public void EmptyHistogramReportsZero()
    {
        var histogram = new LogLinearHistogram();

        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.ValueAtQuantile(0.5));
        Assert.Equal(0, histogram.Max);
    }

    [Fact]
    public void HugeAndNegativeValuesAreClamped()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue / 2);

        Assert.Equal(0, histogram.ValueAtQuantile(0.5));
        Assert.Equal(long.MaxValue / 2, histogram.Max);
        Assert.True(histogram.ValueAtQuantile(1.0) >= LogLinearHistogram.MaxTrackableValue / 64 * 63,
            $"the top quantile {histogram.ValueAtQuantile(1.0)} is not in the top bucket");
    }

    [Fact]
    public void BucketsCoverEveryValueOnce()
    {
        // Every bucket's lower bound maps back to that bucket, and the value below it to the one before.
        int top = LogLinearHistogram.BucketIndex(LogLinearHistogram.MaxTrackableValue);
        for (int index = 1; index <= top; index++)
        {
            long lower = LogLinearHistogram.BucketLowerBound(index);
            Assert.Equal(index, LogLinearHistogram.BucketIndex(lower));
            Assert.Equal(index - 1, LogLinearHistogram.BucketIndex(lower - 1));
        }
    }

    [Fact]
    public void ConcurrentRecordsAreAllCounted()
    {
        var histogram = new LogLinearHistogram();
        const int Threads = 4;
        const int PerThread = 50_000;

        Parallel.For(0, Threads, thread =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                histogram.Record(thread * 1000 + i % 1000);
            }
        });

        Assert.Equal(Threads * PerThread, histogram.Count);
        Assert.Equal(Threads * 1000 - 1, histogram.Max);
    }

    [Fact]
    public void QuantileOutsideRangeIsRejected()
    {
        var histogram = new LogLinearHistogram();

        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.ValueAtQuantile(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.ValueAtQuantile(double.NaN));
    }

    private static long[] Generate(string distribution, int count, int seed)
    {
        var random = new Random(seed);
        var samples = new long[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = distribution switch
            {
                "uniform" => random.NextInt64(0, 10_000_000),
                // Median about 50 us, with a long tail into seconds: the shape of request latencies.
                "lognormal" => (long)Math.Exp(Math.Log(50) + 1.5 * Normal(random)),
                "bimodal" => random.Next(2) == 0 ? random.NextInt64(30, 60) : random.NextInt64(200_000, 5_000_000),
                "small" => random.NextInt64(0, 300),
                _ => throw new ArgumentException(distribution),
            };
        }

        return samples;
    }

    private static double Normal(Random random)
    {
        // Box-Muller transform.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
