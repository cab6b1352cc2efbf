namespace McpZero.Storage;

/// <summary>
/// Shares one commit of a log among every caller that waits at the same time.
/// </summary>
/// <remarks>
/// A caller appends its entries first and then awaits <see cref="WaitAsync"/>. Each wait takes a
/// ticket; a commit started after a caller took its ticket covers that caller's appends. Only one
/// commit runs at a time, and callers that arrive during it are all covered by the next one, so
/// N concurrent writers cost about two commits instead of N. Thread-safe.
/// </remarks>
public sealed class GroupCommit : IDisposable
{
    private readonly Func<CancellationToken, ValueTask> _commitAsync;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _tickets;
    private long _committedTicket;
    private long _commits;

    /// <param name="commitAsync">Makes every entry appended before the call durable.</param>
    public GroupCommit(Func<CancellationToken, ValueTask> commitAsync)
    {
        ArgumentNullException.ThrowIfNull(commitAsync);
        _commitAsync = commitAsync;
    }

    /// <summary>Number of commits run so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Returns once everything the caller appended before this call is durable.</summary>
    /// <remarks><paramref name="cancellationToken"/> cancels the wait, never a commit that has started.</remarks>
    public async ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        var ticket = Interlocked.Increment(ref _tickets);
        while (Interlocked.Read(ref _committedTicket) < ticket)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Interlocked.Read(ref _committedTicket) >= ticket)
                {
                    break;
                }

                // Every ticket up to here was taken after its owner's append, so this commit covers them all.
                var coveredTicket = Interlocked.Read(ref _tickets);
                await _commitAsync(CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _commits);
                Interlocked.Exchange(ref _committedTicket, coveredTicket);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Blocking form of <see cref="WaitAsync"/>, for callers that cannot await.</summary>
    public void Wait()
    {
        WaitAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Releases the gate; call it only when no wait is running.</summary>
    public void Dispose()
    {
        _gate.Dispose();
    }
}
