using McpZero.Storage.Internal;

namespace McpZero.Storage;

public sealed partial class TraceLog
{
    /// <summary>
    /// Restores the chain head, the open seal batch and the sparse index: loads the index file, keeps
    /// the entries that agree with the log, and reads every entry from the start of the last kept block
    /// to the committed tail.
    /// </summary>
    /// <remarks>
    /// A record that fails its chain check is logged and still read, so tampering in the middle of the
    /// log keeps its later records; <see cref="Verify"/> reports it. The head is the readable record
    /// with the highest sequence. When the commit cookie counts more records than are readable, the
    /// tail was truncated or overwritten. The missing sequences are logged as lost and new records
    /// reuse them. The cookie then remembers the damaged region, from the last good entry to the
    /// address where appending resumes, so that reads skip it. When the last kept block has fewer readable records than its index entry records,
    /// the damage reaches into it, so that block is dropped and reading starts one block earlier.
    /// </remarks>
    private void Recover()
    {
        var cookie = TraceCommitCookie.Decode(_log.RecoveredCookie);
        _anchor = cookie?.Anchor;
        _damagedRegions = cookie is null ? [] : [.. cookie.Value.DamagedRegions];

        var loaded = _indexFile.Load();
        var blocks = KeepConsistentBlocks(loaded);
        TailScan scan;
        while (true)
        {
            TraceIndexBlock? rechecked = null;
            if (blocks.Count > 0)
            {
                rechecked = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
            }

            scan = ScanTail(blocks, rechecked?.StartAddress ?? _log.BeginAddress);
            if (rechecked is null || scan.Records >= rechecked.RecordCount)
            {
                break;
            }
        }

        _blocks.AddRange(blocks);
        _blocks.AddRange(scan.ClosedBlocks);
        _blocksPersisted = _blocks.Count;
        if (!SameBlocks(loaded, _blocks))
        {
            _indexFile.Rewrite(_blocks);
        }

        if (scan.ChainFailure is { } broken)
        {
            TraceLogLog.ChainBrokenOnOpen(_logger, _directory, broken.FirstBadSequence, broken.Message);
        }

        // NOTE: FasterLog's iterator reads a zero length as the end of a page and continues on the next
        // page. A record zeroed in the last page therefore hides the records after it, and this open
        // reports them as a lost tail (error 3104) instead of leaving the gap for Verify to name.
        var expected = cookie?.NextSequence ?? _nextSequence;
        if (expected > _nextSequence)
        {
            TraceLogLog.TailLost(_logger, _directory, _nextSequence, expected - 1, scan.ReadError ?? "the log ends before its last commit");
            if (scan.GoodUntilAddress < _log.TailAddress)
            {
                _damagedRegions.Add(new DamagedRegion(scan.GoodUntilAddress, _log.TailAddress));
            }

            // The open batch's records before the damage get their seal after it. The open block closes
            // at that seal, so the next block starts behind the damage.
            _closeBlockAtNextSeal = true;
        }

        TraceLogLog.Opened(_logger, _directory, _nextSequence, FirstSequenceLocked(), _blocks.Count);
    }

    private long FirstSequenceLocked() => _anchor is null ? 0 : _anchor.Sequence + 1;

    private static bool SameBlocks(List<TraceIndexBlock> left, List<TraceIndexBlock> right) =>
        left.Count == right.Count && left.Zip(right).All(pair => pair.First.StartAddress == pair.Second.StartAddress
            && pair.First.EndAddress == pair.Second.EndAddress && pair.First.RecordCount == pair.Second.RecordCount);

    /// <summary>Keeps the index entries that continue each other and lie inside the committed log.</summary>
    private List<TraceIndexBlock> KeepConsistentBlocks(List<TraceIndexBlock> loaded)
    {
        var begin = _log.BeginAddress;
        var committed = _log.CommittedUntilAddress;
        var kept = new List<TraceIndexBlock>();
        foreach (var block in loaded)
        {
            if (block.StartAddress < begin)
            {
                // Retention removed this block, and a crash came before the index file was rewritten.
                continue;
            }

            var expectedFirst = kept.Count == 0 ? FirstSequenceLocked() : kept[^1].LastSequence + 1;
            var earliestStart = kept.Count == 0 ? begin : kept[^1].EndAddress;
            if (block.FirstSequence != expectedFirst
                || block.StartAddress < earliestStart
                || block.EndAddress <= block.StartAddress
                || block.EndAddress > committed
                || block.RecordCount <= 0)
            {
                break;
            }

            kept.Add(block);
        }

        return kept;
    }

    /// <summary>
    /// Reads the log from <paramref name="start"/> to the committed tail, following the blocks in
    /// <paramref name="trusted"/>, and moves the head, seal batch and open block past every readable
    /// record. Reading stops at the first read error.
    /// </summary>
    private TailScan ScanTail(List<TraceIndexBlock> trusted, long start)
    {
        var previous = trusted.Count > 0 ? trusted[^1] : null;
        var verifier = new TraceChainVerifier(0, previous is null ? _anchor : new TraceAnchor(previous.LastSequence, previous.LastHash));
        _nextSequence = verifier.FirstSequence;
        _headHash = previous?.LastHash ?? _anchor?.Hash ?? TraceHash.Genesis();
        _batchHashes.Clear();
        _openBlock = OpenBlock.Empty;

        var closed = new List<TraceIndexBlock>();
        long records = 0;
        var goodUntil = start;
        string? readError = null;
        foreach (var entry in ReadEntries(start, _log.CommittedUntilAddress))
        {
            if (entry.Seal is { } seal)
            {
                verifier.AcceptSeal(seal);
                _batchHashes.Clear();
                if (_openBlock.RecordCount >= _options.BlockRecords || (_openBlock.RecordCount > 0 && SpansDamage(_openBlock.StartAddress, entry.NextAddress)))
                {
                    closed.Add(_openBlock.Close(entry.NextAddress, _headHash));
                    _openBlock = OpenBlock.Empty;
                }
            }
            else if (entry.Record is { } record)
            {
                verifier.Accept(record);
                TrackRecovered(record, entry.Address);
                records++;
            }
            else if (entry.IsReadError)
            {
                readError = entry.Error;
                break;
            }
            else
            {
                verifier.RejectUndecodable(entry.Address, entry.Error ?? "unknown error");
                continue;
            }

            goodUntil = entry.NextAddress;
        }

        return new TailScan(records, closed, verifier.Failure, readError, goodUntil);
    }

    private bool SpansDamage(long startAddress, long endAddress) =>
        _damagedRegions.Any(region => startAddress < region.StartAddress && region.EndAddress <= endAddress);

    /// <summary>Like <see cref="TrackRecord"/>, but the head only moves forward, past out-of-order records.</summary>
    private void TrackRecovered(TraceRecord record, long address)
    {
        if (record.Sequence >= _nextSequence)
        {
            TrackRecord(record, address);
            return;
        }

        if (_batchHashes.Count == 0)
        {
            _batchFirstSequence = record.Sequence;
        }

        _batchHashes.Add(record.Hash);
        _openBlock = _openBlock.Add(record, address);
    }

    /// <summary>
    /// What reading the tail found. <c>GoodUntilAddress</c> is the address just after the last record or
    /// seal that was read.
    /// </summary>
    private readonly record struct TailScan(
        long Records, List<TraceIndexBlock> ClosedBlocks, TraceVerification? ChainFailure, string? ReadError, long GoodUntilAddress);
}
