namespace McpZero.Storage.Internal;

/// <summary>
/// Checks trace log entries in log order. Sequence numbers must be consecutive, each previous hash
/// must equal the hash of the record before, each hash the recomputed one, and each seal must match
/// the batch of records since the seal before it.
/// </summary>
/// <remarks>
/// A changed record fails its hash; a removed record leaves a gap in the sequence; an inserted or
/// reordered record breaks the sequence or the previous-hash link. A changed, removed or inserted
/// seal fails its range or Merkle root. Records before the start sequence are trusted and only supply
/// the previous hash. A log shortened by retention starts after its anchor.
/// </remarks>
internal sealed class TraceChainVerifier
{
    private readonly long _fromSequence;
    private readonly List<byte[]> _batchHashes = [];
    private byte[] _previousHash;
    private long _batchFirstSequence;

    public TraceChainVerifier(long fromSequence, TraceAnchor? anchor = null)
    {
        FirstSequence = anchor is null ? 0 : anchor.Sequence + 1;
        _fromSequence = Math.Max(fromSequence, FirstSequence);
        _previousHash = anchor is null ? TraceHash.Genesis() : (byte[])anchor.Hash.Clone();
        ExpectedSequence = FirstSequence;
        _batchFirstSequence = FirstSequence;
    }

    /// <summary>Sequence of the first record the log should contain: 0, or the one after the anchor.</summary>
    public long FirstSequence { get; }

    /// <summary>Sequence the next record must have; after the last record, the number of records seen.</summary>
    public long ExpectedSequence { get; private set; }

    public long RecordsChecked { get; private set; }

    public long SealsChecked { get; private set; }

    /// <summary>The first failure, or null while the chain is intact.</summary>
    public TraceVerification? Failure { get; private set; }

    /// <summary>Checks the next record.</summary>
    /// <returns>False once a check has failed; later entries are not examined.</returns>
    public bool Accept(TraceRecord record)
    {
        if (Failure is not null)
        {
            return false;
        }

        if (record.Sequence != ExpectedSequence)
        {
            var problem = record.Sequence > ExpectedSequence
                ? $"record {ExpectedSequence} is missing: the log continues with record {record.Sequence}"
                : $"record {record.Sequence} appears again or out of order where record {ExpectedSequence} was expected";
            return Fail(ExpectedSequence, problem);
        }

        if (record.Sequence >= _fromSequence)
        {
            if (!record.PreviousHash.AsSpan().SequenceEqual(_previousHash))
            {
                return Fail(record.Sequence, $"record {record.Sequence} does not link to the hash of record {record.Sequence - 1}");
            }

            if (!TraceHash.Compute(record).AsSpan().SequenceEqual(record.Hash))
            {
                return Fail(record.Sequence, $"record {record.Sequence} does not match its hash: its content was changed");
            }

            RecordsChecked++;
        }

        _batchHashes.Add(record.Hash);
        _previousHash = record.Hash;
        ExpectedSequence++;
        return true;
    }

    /// <summary>Checks a seal against the records since the previous seal.</summary>
    /// <returns>False once a check has failed; later entries are not examined.</returns>
    public bool AcceptSeal(TraceSeal seal)
    {
        if (Failure is not null)
        {
            return false;
        }

        if (_batchHashes.Count == 0)
        {
            // A seal right after the previous one means its records were removed, or the seal itself was inserted.
            var missing = seal.FirstSequence == seal.LastSequence
                ? $"record {seal.FirstSequence} is missing"
                : $"records {seal.FirstSequence} to {seal.LastSequence} are missing";
            return Fail(ExpectedSequence, $"{missing}: the seal for them follows no records, so they were removed or the seal was inserted");
        }

        var lastSequence = ExpectedSequence - 1;
        if (seal.FirstSequence != _batchFirstSequence || seal.LastSequence != lastSequence)
        {
            return Fail(
                _batchFirstSequence,
                $"the seal after record {lastSequence} covers records {seal.FirstSequence} to {seal.LastSequence} but the batch is records {_batchFirstSequence} to {lastSequence}: a seal was removed, inserted or changed");
        }

        if (lastSequence >= _fromSequence)
        {
            if (!seal.LastHash.AsSpan().SequenceEqual(_previousHash))
            {
                return Fail(_batchFirstSequence, $"the seal of records {seal.FirstSequence} to {seal.LastSequence} names a different hash for record {lastSequence}");
            }

            if (!MerkleTree.ComputeRoot(_batchHashes).AsSpan().SequenceEqual(seal.MerkleRoot))
            {
                return Fail(_batchFirstSequence, $"the Merkle root of records {seal.FirstSequence} to {seal.LastSequence} does not match their seal");
            }

            SealsChecked++;
        }

        _batchHashes.Clear();
        _batchFirstSequence = ExpectedSequence;
        return true;
    }

    /// <summary>Records that the log entry after the last accepted one could not be decoded.</summary>
    public void RejectUndecodable(long logAddress, string reason)
    {
        if (Failure is null)
        {
            Fail(ExpectedSequence, $"log entry at address {logAddress}, where record {ExpectedSequence} was expected, cannot be decoded: {reason}");
        }
    }

    /// <summary>
    /// Finishes the check against the number of records the writer has appended, all of which must be
    /// sealed because every commit writes a seal first.
    /// </summary>
    public TraceVerification Complete(long appendedCount)
    {
        if (Failure is null && ExpectedSequence < appendedCount)
        {
            Fail(ExpectedSequence, $"the log ends after record {ExpectedSequence - 1} but {appendedCount} records were appended: records {ExpectedSequence} to {appendedCount - 1} are missing");
        }

        if (Failure is null && _batchHashes.Count > 0)
        {
            Fail(_batchFirstSequence, $"records {_batchFirstSequence} to {ExpectedSequence - 1} at the end of the log have no seal: the seal after them was removed");
        }

        return Failure ?? new TraceVerification(
            true,
            RecordsChecked,
            -1,
            RecordsChecked == 0
                ? $"chain intact: no records from sequence {_fromSequence} on"
                : $"chain intact: checked {RecordsChecked} records from sequence {_fromSequence} to {ExpectedSequence - 1} and {SealsChecked} seals");
    }

    private bool Fail(long sequence, string message)
    {
        Failure = new TraceVerification(false, RecordsChecked, sequence, message);
        return false;
    }
}
