namespace McpZero.Storage.Internal;

/// <summary>
/// Checks trace records in log order: consecutive sequence numbers, each previous hash equal to the
/// hash of the record before, and each hash equal to the recomputed one.
/// </summary>
/// <remarks>
/// A changed record fails its hash; a removed record leaves a gap in the sequence; an inserted or
/// reordered record breaks the sequence or the previous-hash link. Records before the start sequence
/// are trusted and only supply the previous hash.
/// </remarks>
internal sealed class TraceChainVerifier
{
    private readonly long _fromSequence;
    private byte[] _previousHash = TraceHash.Genesis();

    public TraceChainVerifier(long fromSequence)
    {
        _fromSequence = fromSequence;
    }

    /// <summary>Sequence the next record must have; after the last record, the number of records seen.</summary>
    public long ExpectedSequence { get; private set; }

    public long RecordsChecked { get; private set; }

    /// <summary>The first failure, or null while the chain is intact.</summary>
    public TraceVerification? Failure { get; private set; }

    /// <summary>Checks the next record.</summary>
    /// <returns>False once a check has failed; later records are not examined.</returns>
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

        _previousHash = record.Hash;
        ExpectedSequence++;
        return true;
    }

    /// <summary>Records that the log entry after the last accepted record could not be decoded.</summary>
    public void RejectUndecodable(long logAddress, string reason)
    {
        if (Failure is null)
        {
            Fail(ExpectedSequence, $"log entry at address {logAddress}, where record {ExpectedSequence} was expected, cannot be decoded: {reason}");
        }
    }

    /// <summary>Finishes the check against the number of records the writer has appended.</summary>
    public TraceVerification Complete(long appendedCount)
    {
        if (Failure is null && ExpectedSequence < appendedCount)
        {
            Fail(ExpectedSequence, $"the log ends after {ExpectedSequence} records but {appendedCount} were appended: records from {ExpectedSequence} on are missing");
        }

        return Failure ?? new TraceVerification(
            true, RecordsChecked, -1, $"chain intact: checked {RecordsChecked} records from sequence {_fromSequence} to {ExpectedSequence - 1}");
    }

    private bool Fail(long sequence, string message)
    {
        Failure = new TraceVerification(false, RecordsChecked, sequence, message);
        return false;
    }
}
