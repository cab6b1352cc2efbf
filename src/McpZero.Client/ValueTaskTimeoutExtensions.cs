namespace McpZero.Client;

/// <summary>
/// <c>WaitAsync</c> for the <see cref="ValueTask{TResult}"/> that every call of this library
/// returns, as <see cref="Task{TResult}"/> has it, so a call can be bounded by a timeout in place.
/// </summary>
public static class ValueTaskTimeoutExtensions
{
    /// <summary>Waits for <paramref name="task"/> up to <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">The call did not finish within <paramref name="timeout"/>. It keeps running.</exception>
    public static Task<TResult> WaitAsync<TResult>(this ValueTask<TResult> task, TimeSpan timeout) =>
        task.AsTask().WaitAsync(timeout);

    /// <summary>Waits for <paramref name="task"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled first. The call keeps running.</exception>
    public static Task<TResult> WaitAsync<TResult>(this ValueTask<TResult> task, CancellationToken cancellationToken) =>
        task.AsTask().WaitAsync(cancellationToken);

    /// <summary>Waits for <paramref name="task"/> up to <paramref name="timeout"/> or until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static Task<TResult> WaitAsync<TResult>(this ValueTask<TResult> task, TimeSpan timeout, CancellationToken cancellationToken) =>
        task.AsTask().WaitAsync(timeout, cancellationToken);

    /// <summary>Waits for <paramref name="task"/> up to <paramref name="timeout"/>.</summary>
    public static Task WaitAsync(this ValueTask task, TimeSpan timeout) =>
        task.AsTask().WaitAsync(timeout);

    /// <summary>Waits for <paramref name="task"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static Task WaitAsync(this ValueTask task, CancellationToken cancellationToken) =>
        task.AsTask().WaitAsync(cancellationToken);
}
