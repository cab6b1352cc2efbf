using McpZero.Storage.Internal;

namespace McpZero.Storage;

public sealed partial class TraceLog
{
    /// <summary>
    /// Lists the newest <paramref name="limit"/> records, oldest first, that belong to
    /// <paramref name="agentId"/> (any agent when null) and started between
    /// <paramref name="sinceUnixMicros"/> and <paramref name="untilUnixMicros"/>, both inclusive.
    /// </summary>
    /// <remarks>
    /// Commits pending appends first. The sparse index names the timestamp range of each block, so only
    /// blocks that overlap the time range are read, newest first, until <paramref name="limit"/>
    /// records match.
    /// </remarks>
    public IReadOnlyList<TraceRecord> List(string? agentId, long sinceUnixMicros, long untilUnixMicros, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        CommitAndWait();
        var ranges = SnapshotRanges();

        var newestFirst = new List<List<TraceRecord>>();
        var found = 0;
        for (var i = ranges.Count - 1; i >= 0 && found < limit; i--)
        {
            var range = ranges[i];
            if (range.MaxTimestamp < sinceUnixMicros || range.MinTimestamp > untilUnixMicros)
            {
                continue;
            }

            var matches = new List<TraceRecord>();
            foreach (var entry in ReadEntries(range.StartAddress, range.EndAddress))
            {
                if (entry.Record is { } record
                    && record.TimestampUnixMicros >= sinceUnixMicros
                    && record.TimestampUnixMicros <= untilUnixMicros
                    && (agentId is null || string.Equals(record.AgentId, agentId, StringComparison.Ordinal)))
                {
                    matches.Add(record);
                }
            }

            newestFirst.Add(matches);
            found += matches.Count;
        }

        var result = new List<TraceRecord>(Math.Min(found, limit));
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            result.AddRange(newestFirst[i]);
        }

        return result.Count > limit ? result.GetRange(result.Count - limit, limit) : result;
    }

    /// <summary>
    /// Recomputes the chain and the seals from <paramref name="fromSequence"/> (or the retention anchor,
    /// whichever is later) to the newest record and reports the first record that was changed, removed,
    /// inserted or reordered, or the first seal that does not match its batch.
    /// </summary>
    /// <remarks>Commits pending appends first, then reads the whole log.</remarks>
    public TraceVerification Verify(long fromSequence = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var appended = Count;
        CommitAndWait();

        var verifier = new TraceChainVerifier(fromSequence, Anchor);
        WalkChain(_log.BeginAddress, _log.CommittedUntilAddress, verifier, accepted: null);
        return verifier.Complete(appended);
    }

    /// <summary>The address and timestamp ranges of the closed blocks and of the committed part of the open block.</summary>
    private List<TimeRange> SnapshotRanges()
    {
        lock (_appendLock)
        {
            var ranges = new List<TimeRange>(_blocks.Count + 1);
            foreach (var block in _blocks)
            {
                ranges.Add(new TimeRange(block.StartAddress, block.EndAddress, block.MinTimestamp, block.MaxTimestamp));
            }

            if (_openBlock.RecordCount > 0)
            {
                ranges.Add(new TimeRange(_openBlock.StartAddress, _log.CommittedUntilAddress, _openBlock.MinTimestamp, _openBlock.MaxTimestamp));
            }

            return ranges;
        }
    }

    private readonly record struct TimeRange(long StartAddress, long EndAddress, long MinTimestamp, long MaxTimestamp);
}
