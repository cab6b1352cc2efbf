namespace McpZero.Perf.Load;

/// <summary>
/// A log-linear latency histogram in nanoseconds: values below 64 ns get one bucket each, and every
/// power of two above that is split into 64 buckets, so a reported percentile is at most 1/64
/// (1.6%) above the true sample. Safe to record from many threads at once.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Buckets per power of two, as a power of two.</summary>
    private const int SubBucketBits = 6;
    private const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>Enough buckets for any non-negative long.</summary>
    private const int BucketCount = SubBucketCount + (63 - SubBucketBits) * SubBucketCount;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _max;
    private long _min = long.MaxValue;

    public long Count => Volatile.Read(ref _count);

    public long MaxNanoseconds => Count == 0 ? 0 : Volatile.Read(ref _max);

    public long MinNanoseconds => Count == 0 ? 0 : Volatile.Read(ref _min);

    public double MeanNanoseconds => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records one latency; negative values count as 0.</summary>
    public void Record(long nanoseconds)
    {
        long value = Math.Max(0, nanoseconds);
        Interlocked.Increment(ref _counts[BucketIndex(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);

        long max = Volatile.Read(ref _max);
        while (value > max)
        {
            long seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }

        long min = Volatile.Read(ref _min);
        while (value < min)
        {
            long seen = Interlocked.CompareExchange(ref _min, value, min);
            if (seen == min)
            {
                break;
            }

            min = seen;
        }
    }

    /// <summary>
    /// Returns the latency at or below which <paramref name="fraction"/> of the samples fall. That
    /// is the upper edge of the bucket that contains the sample of rank ceil(fraction x count),
    /// capped at the maximum recorded value. Returns 0 for an empty histogram.
    /// </summary>
    public long PercentileNanoseconds(double fraction)
    {
        if (fraction is < 0 or > 1 || double.IsNaN(fraction))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a percentile fraction must be between 0 and 1");
        }

        long count = Count;
        if (count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(fraction * count));
        long seen = 0;
        for (int index = 0; index < BucketCount; index++)
        {
            seen += Volatile.Read(ref _counts[index]);
            if (seen >= rank)
            {
                return Math.Min(BucketUpperBound(index), MaxNanoseconds);
            }
        }

        return MaxNanoseconds;
    }

    /// <summary>Adds every sample of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        for (int index = 0; index < BucketCount; index++)
        {
            long bucket = Volatile.Read(ref other._counts[index]);
            if (bucket != 0)
            {
                Interlocked.Add(ref _counts[index], bucket);
            }
        }

        if (other.Count == 0)
        {
            return;
        }

        Interlocked.Add(ref _count, other.Count);
        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
        _max = Math.Max(_max, other.MaxNanoseconds);
        _min = Math.Min(_min, other.MinNanoseconds);
    }

    internal static int BucketIndex(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        int highestBit = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value);
        int shift = highestBit - SubBucketBits;
        int subBucket = (int)(value >> shift) - SubBucketCount;
        return SubBucketCount + shift * SubBucketCount + subBucket;
    }

    /// <summary>Returns the largest value that falls into bucket <paramref name="index"/>.</summary>
    internal static long BucketUpperBound(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        int shift = (index - SubBucketCount) / SubBucketCount;
        long subBucket = (index - SubBucketCount) % SubBucketCount;
        long lowerBound = (SubBucketCount + subBucket) << shift;
        return lowerBound + (1L << shift) - 1;
    }
}
