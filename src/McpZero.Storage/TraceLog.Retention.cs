using McpZero.Storage.Internal;

namespace McpZero.Storage;

public sealed partial class TraceLog
{
    /// <summary>
    /// Removes the oldest index blocks while the log is larger than <see cref="TraceLogOptions.MaxBytes"/>
    /// or a block's newest record is older than <see cref="TraceLogOptions.MaxAge"/> before
    /// <paramref name="now"/>, records the last removed record as the anchor, and commits both.
    /// </summary>
    /// <remarks>
    /// Records are removed a whole block at a time and never from the open block, so the newest
    /// 1 to 2 × <see cref="TraceLogOptions.BlockRecords"/> records always stay. FasterLog deletes a
    /// segment file once the commit moves the log's begin address past its end, so disk space comes
    /// back in steps of <see cref="TraceLogOptions.SegmentBytes"/>.
    /// </remarks>
    /// <returns>The number of records removed.</returns>
    public async ValueTask<long> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (_options.MaxBytes == 0 && _options.MaxAge == TimeSpan.Zero)
        {
            return 0;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var cutoff = _options.MaxAge == TimeSpan.Zero
            ? long.MinValue
            : (now.UtcTicks - DateTime.UnixEpoch.Ticks - _options.MaxAge.Ticks) / TimeSpan.TicksPerMicrosecond;

        TraceIndexBlock firstRemoved;
        TraceIndexBlock lastRemoved;
        long removedBytes;
        string reason;
        lock (_appendLock)
        {
            var tail = _log.TailAddress;
            var count = 0;
            var tooBig = false;
            var tooOld = false;
            while (count < _blocks.Count)
            {
                var block = _blocks[count];
                var nextStart = count + 1 < _blocks.Count ? _blocks[count + 1].StartAddress : _openBlock.StartAddress;
                var blockTooBig = _options.MaxBytes > 0 && tail - block.StartAddress > _options.MaxBytes;
                var blockTooOld = block.MaxTimestamp < cutoff;
                if (nextStart < 0 || (!blockTooBig && !blockTooOld))
                {
                    break;
                }

                tooBig |= blockTooBig;
                tooOld |= blockTooOld;
                count++;
            }

            if (count == 0)
            {
                return 0;
            }

            firstRemoved = _blocks[0];
            lastRemoved = _blocks[count - 1];
            var untilAddress = count < _blocks.Count ? _blocks[count].StartAddress : _openBlock.StartAddress;
            removedBytes = untilAddress - _log.BeginAddress;
            reason = (tooBig, tooOld) switch
            {
                (true, true) => $"over MaxBytes {_options.MaxBytes} and older than MaxAge {_options.MaxAge}",
                (true, false) => $"over MaxBytes {_options.MaxBytes}",
                _ => $"older than MaxAge {_options.MaxAge}",
            };

            _anchor = new TraceAnchor(lastRemoved.LastSequence, lastRemoved.LastHash);
            _blocks.RemoveRange(0, count);
            _blocksPersisted = Math.Max(0, _blocksPersisted - count);
            _log.TruncateUntil(untilAddress);
        }

        // The commit stores the new begin address together with the anchor in its cookie.
        await CommitAsync(cancellationToken).ConfigureAwait(false);
        await WaitForSegmentRemovalAsync(cancellationToken).ConfigureAwait(false);
        lock (_indexFileLock)
        {
            List<TraceIndexBlock> persisted;
            lock (_appendLock)
            {
                persisted = _blocks.GetRange(0, _blocksPersisted);
            }

            _indexFile.Rewrite(persisted);
        }

        TraceLogLog.RetentionRemoved(
            _logger, firstRemoved.FirstSequence, lastRemoved.LastSequence, removedBytes, reason, lastRemoved.LastSequence + 1);
        return lastRemoved.LastSequence - firstRemoved.FirstSequence + 1;
    }

    /// <summary>
    /// Waits until the segment files wholly before the begin address are deleted, for at most two
    /// seconds.
    /// </summary>
    /// <remarks>
    /// After a commit that moves the begin address, FasterLog 2.6.5 deletes the old segment files in an
    /// epoch action, which runs only when a thread next enters and leaves the log's epoch. Opening and
    /// closing an empty scan does that.
    /// </remarks>
    private async Task WaitForSegmentRemovalAsync(CancellationToken cancellationToken)
    {
        var firstKept = _log.BeginAddress / _options.SegmentBytes;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var remaining = Directory.EnumerateFiles(_directory, "trace.log.*")
                .Select(file => long.TryParse(Path.GetExtension(file).AsSpan(1), out var segment) ? segment : long.MaxValue)
                .Count(segment => segment < firstKept);
            if (remaining == 0)
            {
                return;
            }

            using (_log.Scan(_log.BeginAddress, _log.BeginAddress))
            {
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        TraceLogLog.SegmentsNotRemoved(_logger, _directory, firstKept);
    }
}
