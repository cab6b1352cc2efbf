namespace McpZero.Perf.Load;

/// <summary>
/// Send times of an open-loop run at a fixed rate: request i is due at start + i / rate, whatever
/// happened to earlier requests. Latency is measured from the due time, so a stalled server or
/// generator shows up as latency and is not hidden (no coordinated omission).
/// </summary>
internal sealed class OpenLoopSchedule
{
    private readonly long _startTimestamp;
    private readonly double _ticksPerRequest;

    /// <param name="startTimestamp">Due time of request 0, in <paramref name="ticksPerSecond"/> units.</param>
    /// <param name="ratePerSecond">Requests per second, above 0.</param>
    /// <param name="ticksPerSecond">Timestamp frequency, usually <see cref="System.Diagnostics.Stopwatch.Frequency"/>.</param>
    public OpenLoopSchedule(long startTimestamp, double ratePerSecond, long ticksPerSecond)
    {
        if (!(ratePerSecond > 0) || double.IsInfinity(ratePerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "the rate must be a positive number of requests per second");
        }

        _startTimestamp = startTimestamp;
        _ticksPerRequest = ticksPerSecond / ratePerSecond;
    }

    /// <summary>Returns the timestamp at which request <paramref name="index"/> is due.</summary>
    public long DueTimestamp(long index) => _startTimestamp + (long)Math.Round(index * _ticksPerRequest);

    /// <summary>Returns how many requests (indexes 0 to n-1) are due at or before <paramref name="timestamp"/>.</summary>
    public long CountDueBy(long timestamp)
    {
        if (timestamp < _startTimestamp)
        {
            return 0;
        }

        long count = (long)Math.Floor((timestamp - _startTimestamp) / _ticksPerRequest) + 1;

        // Rounding in DueTimestamp can put a due time one tick either side of the division.
        while (count > 0 && DueTimestamp(count - 1) > timestamp)
        {
            count--;
        }

        while (DueTimestamp(count) <= timestamp)
        {
            count++;
        }

        return count;
    }
}
