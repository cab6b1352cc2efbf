namespace McpZero.Storage;

/// <summary>When a write to a <see cref="StateStore"/> becomes durable.</summary>
public enum StateCommitPolicy
{
    /// <summary>
    /// Every write is appended to a redo journal, and a write call returns only after the journal
    /// is committed to disk. Concurrent writers share one commit (group commit). A crash, including
    /// <c>kill -9</c>, loses no write that returned.
    /// </summary>
    /// <remarks>
    /// NOTE: the kill -9 case is tested. Power loss also depends on FASTER 2.6.5's log device flushing
    /// the file to the medium on commit, which no test here checks.
    /// </remarks>
    Sync,

    /// <summary>
    /// Every write is appended to the redo journal, which a background loop commits every
    /// <see cref="StateStoreOptions.CommitInterval"/>. A crash loses at most the writes of the last interval.
    /// </summary>
    Interval,

    /// <summary>
    /// No journal: writes reach disk only with the next checkpoint. A crash loses every write made
    /// since the last completed checkpoint.
    /// </summary>
    Checkpoint,
}
