using System.Diagnostics;

namespace McpZero.Server;

/// <summary>
/// Lets at most <see cref="MaxPerWindow"/> log entries of one kind through per window and counts the
/// rest, so a client that sends garbage in a loop cannot flood the journal. Thread-safe.
/// </summary>
/// <remarks><paramref name="clock"/> returns <see cref="Stopwatch"/> timestamps; tests pass their own.</remarks>
internal sealed class LogRateLimiter(int maxPerWindow, TimeSpan window, Func<long>? clock = null)
{
    private readonly Lock _lock = new();
    private readonly Func<long> _clock = clock ?? Stopwatch.GetTimestamp;
    private long _windowStart = (clock ?? Stopwatch.GetTimestamp)();
    private int _logged;
    private long _suppressed;

    public int MaxPerWindow { get; } = maxPerWindow;

    /// <summary>
    /// Returns true when this entry may be logged; <paramref name="suppressedBefore"/> is the number of
    /// entries dropped since the last one that was let through.
    /// </summary>
    public bool TryAcquire(out long suppressedBefore)
    {
        lock (_lock)
        {
            long now = _clock();
            if (Stopwatch.GetElapsedTime(_windowStart, now) >= window)
            {
                _windowStart = now;
                _logged = 0;
            }

            if (_logged < MaxPerWindow)
            {
                _logged++;
                suppressedBefore = _suppressed;
                _suppressed = 0;
                return true;
            }

            _suppressed++;
            suppressedBefore = 0;
            return false;
        }
    }
}
