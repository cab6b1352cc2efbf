using System.Diagnostics;
using FASTER.core;
using McpZero.Storage.Internal;

namespace McpZero.Storage;

public sealed partial class StateStore
{
    private const int CheckpointsToKeep = 2;

    /// <summary>
    /// Takes a full fold-over checkpoint (index and log), deletes all but the latest two and drops the
    /// journal entries that both of them already contain.
    /// </summary>
    /// <remarks>
    /// Only one checkpoint runs at a time, and a second caller waits for the first. <paramref name="cancellationToken"/>
    /// only cancels that wait: a checkpoint that has started runs to completion. Before the checkpoint
    /// the log is compacted when it has grown past twice the size measured after the previous
    /// compaction, or past one segment, whichever is larger.
    /// </remarks>
    /// <exception cref="StorageException">FASTER could not start the checkpoint.</exception>
    public ValueTask CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();

        return CheckpointCoreAsync(force: true, cancellationToken);
    }

    private void StartBackgroundCheckpoints()
    {
        if (_options.CheckpointInterval <= TimeSpan.Zero)
        {
            return;
        }

        _checkpointLoop = RunCheckpointLoopAsync(_options.CheckpointInterval, _stopping.Token);
    }

    private async Task RunCheckpointLoopAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckpointCoreAsync(force: false, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
                {
                    StateStoreLog.BackgroundCheckpointFailed(_logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Dispose stopped the loop and takes the final checkpoint itself.
        }
    }

    private async ValueTask CheckpointCoreAsync(bool force, CancellationToken cancellationToken)
    {
        await _checkpointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writes = Interlocked.Read(ref _writes);
            if (!force && writes == _writesAtLastCheckpoint && Interlocked.Read(ref _checkpoints) > 0)
            {
                return;
            }

            var compacted = CompactIfGrown();
            var positions = new Dictionary<Guid, long>();
            await TakeCheckpointAsync(positions).ConfigureAwait(false);

            // Compaction moves the log's begin address, and FASTER deletes the segments below it at the
            // next checkpoint, which makes every older checkpoint unrecoverable. A second checkpoint
            // makes sure both kept checkpoints start after the new begin address.
            if (compacted)
            {
                await TakeCheckpointAsync(positions).ConfigureAwait(false);
            }

            _writesAtLastCheckpoint = writes;
            PurgeOutdatedCheckpoints();
            await TruncateJournalAsync(positions).ConfigureAwait(false);
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    private async ValueTask TakeCheckpointAsync(Dictionary<Guid, long> journalPositions)
    {
        var stopwatch = Stopwatch.StartNew();
        var journalPosition = CaptureJournalPosition();
        var (started, token) = await _faster.Store.TakeFullCheckpointAsync(CheckpointType.FoldOver).ConfigureAwait(false);
        if (!started)
        {
            StateStoreLog.CheckpointNotStarted(_logger);
            throw new StorageException(
                $"checkpoint of '{_paths.Root}' could not start because another FASTER state change is running; retry the checkpoint");
        }

        _faster.RecordCheckpoint(token);
        journalPositions[token] = journalPosition;
        Interlocked.Increment(ref _checkpoints);
        StateStoreLog.CheckpointTaken(_logger, token, stopwatch.ElapsedMilliseconds, ApproximateSizeBytes);
    }

    /// <summary>
    /// Copies the live records to the tail and moves the begin address up to where the copy starts, so
    /// whole segments below it can be deleted at the next checkpoint.
    /// </summary>
    /// <remarks>
    /// Without this the log grows on every update: a fold-over checkpoint, and recovery after a restart,
    /// leave all records read-only, so the next upsert of an existing key appends a new record instead
    /// of updating in place. Lookup compaction is used because scan compaction builds a temporary store
    /// with FASTER's default memory sizes.
    /// </remarks>
    private bool CompactIfGrown()
    {
        var log = _faster.Store.Log;
        var threshold = Math.Max(_options.SegmentBytes, 2 * _liveBytesAfterCompaction);
        var sizeBefore = ApproximateSizeBytes;
        if (sizeBefore <= threshold)
        {
            return false;
        }

        // The fold-over checkpoint that follows makes the whole log read-only anyway. Doing it first lets
        // compaction reach the records written since the previous checkpoint.
        log.ShiftReadOnlyAddress(log.TailAddress, wait: true);
        var session = RentSession();
        try
        {
            session.Compact(log.SafeReadOnlyAddress, CompactionType.Lookup);
        }
        finally
        {
            ReturnSession(session);
        }

        _liveBytesAfterCompaction = ApproximateSizeBytes;
        CompactionState.WriteLiveBytes(_paths, _liveBytesAfterCompaction);
        StateStoreLog.Compacted(_logger, sizeBefore, _liveBytesAfterCompaction);
        return true;
    }

    private void PurgeOutdatedCheckpoints()
    {
        var tokens = _faster.ListFullCheckpointTokens();
        var keep = new HashSet<Guid>(tokens.Take(CheckpointsToKeep));

        // Index or log halves without a partner (from a checkpoint interrupted by a crash) go as well.
        var all = new HashSet<Guid>(_faster.CheckpointManager.GetLogCheckpointTokens());
        all.UnionWith(_faster.CheckpointManager.GetIndexCheckpointTokens());
        foreach (var token in all)
        {
            if (keep.Contains(token))
            {
                continue;
            }

            DeleteCheckpointDirectory(Path.Combine(_paths.Checkpoints, "cpr-checkpoints", token.ToString()));
            DeleteCheckpointDirectory(Path.Combine(_paths.Checkpoints, "index-checkpoints", token.ToString()));
        }
    }

    private void DeleteCheckpointDirectory(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            StateStoreLog.PurgeFailed(_logger, exception, path);
        }
    }
}
