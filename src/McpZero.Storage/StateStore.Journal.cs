using System.Diagnostics;
using McpZero.Storage.Internal;

namespace McpZero.Storage;

public sealed partial class StateStore
{
    /// <summary>
    /// Applies the journal entries written after the recovered checkpoint started. Damage stops replay
    /// at the last good entry. The damaged tail is logged with its address and then dropped by a
    /// checkpoint, so that new entries are not appended behind it.
    /// </summary>
    private void ReplayJournal()
    {
        var stopwatch = Stopwatch.StartNew();
        var positions = JournalPositions.Read(_paths);
        long fromAddress = 0;
        if (_faster.RecoveredToken is { } token && positions.TryGetValue(token, out var position))
        {
            fromAddress = position;
        }

        var session = RentSession();
        (long Applied, long FirstBadAddress, string? Error) result;
        try
        {
            result = _journal.Replay(
                fromAddress,
                (key, value) => UpsertCore(session, key, value),
                key => DeleteCore(session, key));
        }
        finally
        {
            ReturnSession(session);
        }

        if (result.FirstBadAddress >= 0)
        {
            var lostBytes = _journal.CommittedUntilAddress - result.FirstBadAddress;
            StateStoreLog.JournalDamaged(_logger, _paths.Journal, result.FirstBadAddress, lostBytes, result.Applied, result.Error ?? "unknown error");
        }

        if (result.Applied > 0)
        {
            StateStoreLog.JournalReplayed(_logger, result.Applied, fromAddress, stopwatch.ElapsedMilliseconds);
        }

        if (result.FirstBadAddress < 0)
        {
            return;
        }

        // Later entries would be appended behind the damage, where the next replay cannot reach them.
        CheckpointCoreAsync(force: true, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _journal.TruncateUntil(_journal.TailAddress);
        _journal.CommitAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private void StartJournalCommits()
    {
        if (_options.CommitPolicy != StateCommitPolicy.Interval)
        {
            return;
        }

        _journalCommitLoop = RunJournalCommitLoopAsync(_options.CommitInterval, _stopping.Token);
    }

    private async Task RunJournalCommitLoopAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_journal.CommittedUntilAddress >= _journal.TailAddress)
                {
                    continue;
                }

                try
                {
                    await _journalCommit.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
                {
                    StateStoreLog.JournalCommitFailed(_logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Dispose stopped the loop and commits the rest itself.
        }
    }

    /// <summary>Starts a checkpoint in the background once the journal outgrows <see cref="StateStoreOptions.MaxJournalBytes"/>.</summary>
    private void CheckpointIfJournalFull()
    {
        if (_journal.SizeBytes <= _options.MaxJournalBytes || Interlocked.Exchange(ref _journalCheckpointRunning, 1) != 0)
        {
            return;
        }

        _journalCheckpoint = Task.Run(async () =>
        {
            try
            {
                await CheckpointCoreAsync(force: false, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Dispose takes the final checkpoint itself.
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                StateStoreLog.BackgroundCheckpointFailed(_logger, exception);
            }
            finally
            {
                Volatile.Write(ref _journalCheckpointRunning, 0);
            }
        });
    }

    private void WaitForCommit()
    {
        if (_options.CommitPolicy == StateCommitPolicy.Sync)
        {
            _journalCommit.Wait();
        }
    }

    /// <summary>Returns the journal tail; every entry below it belongs to a write the store already holds.</summary>
    private long CaptureJournalPosition()
    {
        lock (_writeLock)
        {
            return _journal.TailAddress;
        }
    }

    /// <summary>
    /// Keeps the journal positions of the kept checkpoints and drops the journal below the oldest of them,
    /// so that a fallback to the older checkpoint can still replay everything after it.
    /// </summary>
    private async ValueTask TruncateJournalAsync(IReadOnlyDictionary<Guid, long> takenPositions)
    {
        var positions = JournalPositions.Read(_paths);
        foreach (var (token, address) in takenPositions)
        {
            positions[token] = address;
        }

        var kept = new HashSet<Guid>(_faster.ListFullCheckpointTokens().Take(CheckpointsToKeep));
        var keptPositions = positions.Where(pair => kept.Contains(pair.Key)).ToDictionary();
        JournalPositions.Write(_paths, keptPositions);

        // A kept checkpoint without a recorded position (taken by an older build) needs the whole journal.
        if (keptPositions.Count < kept.Count || keptPositions.Count == 0)
        {
            return;
        }

        _journal.TruncateUntil(keptPositions.Values.Min());
        await _journalCommit.WaitAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
