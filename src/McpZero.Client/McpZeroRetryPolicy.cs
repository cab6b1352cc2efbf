namespace McpZero.Client;

/// <summary>
/// How often and after what delay a request is sent again when the daemon did not run it: a Busy
/// error, or a connection failure before the request was written.
/// </summary>
/// <remarks>
/// The delay before retry <c>n</c> (1-based) is the server's <c>RetryAfter</c> when it sent one,
/// plus up to half of it again as random jitter. Without a hint it is
/// <c>min(MaxDelay, BaseDelay * 2^(n-1))</c>, of which a random half is jitter. Other errors are never
/// retried, because the daemon may have run the request.
/// </remarks>
public sealed class McpZeroRetryPolicy
{
    /// <summary>Four attempts in all, 25 ms base delay, at most 2 seconds between attempts.</summary>
    public static McpZeroRetryPolicy Default { get; } = new();

    /// <summary>One attempt: every failure goes straight to the caller.</summary>
    public static McpZeroRetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>The number of attempts including the first, at least 1; 4 by default.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The delay before the first retry when the server sent no hint; 25 ms by default.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// The upper bound of a delay computed from <see cref="BaseDelay"/>; 2 seconds by default. A longer
    /// server hint is still honoured.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Computes the delay before retry number <paramref name="retry"/>, counting from 1.</summary>
    /// <param name="retry">The retry that is about to happen: 1 for the second attempt.</param>
    /// <param name="retryAfter">The server's hint, or null.</param>
    /// <param name="random">A uniform random number in [0, 1) that sets the jitter.</param>
    internal TimeSpan GetDelay(int retry, TimeSpan? retryAfter, double random)
    {
        if (retryAfter is { } hint && hint > TimeSpan.Zero)
        {
            return hint + (hint * (random / 2));
        }

        double exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        double capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * random));
    }
}
