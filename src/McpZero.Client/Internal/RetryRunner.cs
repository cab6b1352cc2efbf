using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Client.Internal;

/// <summary>The failures a <see cref="RetryRunner"/> sends a request again after.</summary>
[Flags]
internal enum RetryOn
{
    /// <summary>A Busy error, as a response or as the rejection of a new connection.</summary>
    Busy = 1,

    /// <summary>A <see cref="McpZeroConnectionException"/> whose request was never written.</summary>
    UnsentRequest = 2,
}

/// <summary>Runs one request under a <see cref="McpZeroRetryPolicy"/>.</summary>
/// <remarks>Thread-safe: the runner keeps no per-request state.</remarks>
internal sealed class RetryRunner
{
    private readonly McpZeroRetryPolicy _policy;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<double> _random;

    public RetryRunner(McpZeroRetryPolicy policy)
        : this(policy, static (delay, token) => Task.Delay(delay, token), Random.Shared.NextDouble)
    {
    }

    /// <summary>Creates a runner with its own clock and random source, for tests.</summary>
    public RetryRunner(McpZeroRetryPolicy policy, Func<TimeSpan, CancellationToken, Task> delay, Func<double> random)
    {
        _policy = policy;
        _delay = delay;
        _random = random;
    }

    /// <summary>
    /// Calls <paramref name="attempt"/> until it returns a response other than a retryable Busy
    /// error, throws a failure that is not retryable, or the policy's attempts are used up. The last
    /// response is returned and the last exception rethrown.
    /// </summary>
    /// <param name="attempt">Sends the request once. Its first argument is the attempt number, from 1.</param>
    /// <param name="retryOn">The failures that are retried.</param>
    /// <param name="cancellationToken">Cancels the attempt in progress and any delay between attempts.</param>
    public async ValueTask<IResponse> SendAsync(
        Func<int, CancellationToken, ValueTask<IResponse>> attempt,
        RetryOn retryOn,
        CancellationToken cancellationToken)
    {
        bool retryBusy = retryOn.HasFlag(RetryOn.Busy);
        bool retryUnsent = retryOn.HasFlag(RetryOn.UnsentRequest);
        for (int number = 1; ; number++)
        {
            TimeSpan? retryAfter;
            bool last = number >= _policy.MaxAttempts;
            try
            {
                IResponse response = await attempt(number, cancellationToken).ConfigureAwait(false);
                if (last || !retryBusy || response is not ErrorResponse { Code: ErrorCode.Busy } busy)
                {
                    return response;
                }

                retryAfter = busy.RetryAfterMilliseconds > 0 ? TimeSpan.FromMilliseconds(busy.RetryAfterMilliseconds) : null;
            }
            catch (McpZeroConnectionException ex) when (!last && retryUnsent && ex.NotSent && !cancellationToken.IsCancellationRequested)
            {
                retryAfter = null;
            }
            catch (McpZeroServerException ex) when (!last && retryBusy && ex.Code == ErrorCode.Busy && !cancellationToken.IsCancellationRequested)
            {
                // A connect that the daemon rejected as Busy, because it is at MaxConnections.
                retryAfter = ex.RetryAfter;
            }

            await _delay(_policy.GetDelay(number, retryAfter, _random()), cancellationToken).ConfigureAwait(false);
        }
    }
}
