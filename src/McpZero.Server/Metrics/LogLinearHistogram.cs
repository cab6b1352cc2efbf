using System.Numerics;

namespace McpZero.Server.Metrics;

/// <summary>
/// A fixed-size histogram of non-negative integer values (microseconds here) with log-linear
/// buckets, in the manner of HdrHistogram: every power of two is split into 64 equal buckets.
/// </summary>
/// <remarks>
/// <para>
/// Values below 128 get a bucket each, so they are exact. Above that, a bucket is at most 1/64 of
/// its lower bound wide, and <see cref="ValueAtQuantile"/> returns the bucket's midpoint, so a
/// reported percentile is within 0.8% of a recorded value of the same rank. Values above
/// <see cref="MaxTrackableValue"/> (about 71 minutes in microseconds) count in the top bucket;
/// <see cref="Max"/> stays exact.
/// </para>
/// <para>
/// <see cref="Record"/> is lock-free and allocates nothing: three interlocked additions and, only
/// when the value is a new maximum, a compare-and-swap loop. Reads run concurrently with writes
/// and see each bucket's count at some moment during the read, so a snapshot taken while values
/// arrive can be off by the values recorded meanwhile.
/// </para>
/// </remarks>
public sealed class LogLinearHistogram
{
    /// <summary>Values at or above this count in the top bucket: 2^32 - 1, about 71 minutes in microseconds.</summary>
    public const long MaxTrackableValue = (1L << 32) - 1;

    private const int SubBucketBits = 6;

    // Shift 0 covers 0..127 one value per bucket; each further shift adds 64 buckets of width 2^shift.
    private static readonly int BucketCount = BucketIndex(MaxTrackableValue) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _max;

    /// <summary>Number of recorded values.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Sum of the recorded values, each clamped to 0 or more.</summary>
    public long Sum => Interlocked.Read(ref _sum);

    /// <summary>The largest recorded value, or 0 when none was recorded.</summary>
    public long Max => Interlocked.Read(ref _max);

    /// <summary>Adds one value; a negative value counts as 0.</summary>
    public void Record(long value)
    {
        if (value < 0)
        {
            value = 0;
        }

        Interlocked.Increment(ref _counts[BucketIndex(Math.Min(value, MaxTrackableValue))]);
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
    }

    /// <summary>
    /// Returns the value at <paramref name="quantile"/> (0 to 1) of the recorded values: the
    /// midpoint of the bucket that contains the value of that rank, at most <see cref="Max"/>, or 0
    /// when nothing was recorded.
    /// </summary>
    /// <remarks>The rank is <c>ceil(quantile × count)</c>, the nearest-rank definition.</remarks>
    public long ValueAtQuantile(double quantile)
    {
        if (double.IsNaN(quantile) || quantile < 0 || quantile > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "the quantile must be from 0 to 1");
        }

        long total = 0;
        for (int index = 0; index < _counts.Length; index++)
        {
            total += Volatile.Read(ref _counts[index]);
        }

        if (total == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int index = 0; index < _counts.Length; index++)
        {
            seen += Volatile.Read(ref _counts[index]);
            if (seen >= rank)
            {
                return Math.Min(BucketMidpoint(index), Max);
            }
        }

        return Max;
    }

    /// <summary>Returns the bucket of <paramref name="value"/>, which must be from 0 to <see cref="MaxTrackableValue"/>.</summary>
    internal static int BucketIndex(long value)
    {
        int highestBit = 63 - BitOperations.LeadingZeroCount((ulong)value | 1);
        int shift = Math.Max(0, highestBit - SubBucketBits);
        return (shift << SubBucketBits) + (int)(value >> shift);
    }

    /// <summary>Returns the smallest value that falls in bucket <paramref name="index"/>.</summary>
    internal static long BucketLowerBound(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketBits) - 1);
        long mantissa = index - ((long)shift << SubBucketBits);
        return mantissa << shift;
    }

    private static long BucketMidpoint(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketBits) - 1);
        return BucketLowerBound(index) + ((1L << shift) >> 1);
    }
}
