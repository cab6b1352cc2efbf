namespace McpZero.Storage;

/// <summary>Settings for <see cref="StateStore.Open"/>.</summary>
public sealed class StateStoreOptions
{
    /// <summary>Data directory that contains the log segments and checkpoints; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// In-memory part of the hybrid log, in bytes. Must be a power of two and at least two pages.
    /// </summary>
    /// <remarks>
    /// FASTER allocates and zeroes each page the first time the log tail reaches it and keeps it until
    /// dispose, so a long-running store ends up with all of this memory resident. The default of 8 MiB
    /// is four 2 MiB pages: the two that FASTER allocates at open plus two more for recent records.
    /// Reads of records older than that go to the log file.
    /// </remarks>
    public long MemoryBytes { get; init; } = 8 << 20;

    /// <summary>
    /// Log page size in bytes; a power of two. One key plus its value must fit in a page together with
    /// a small record header, so this is also the max record size. The default of 2 MiB leaves room
    /// for an agent's whole variable set at the default 1 MiB variable limit; pages are allocated only
    /// as the log fills them.
    /// </summary>
    public long PageBytes { get; init; } = 2 << 20;

    /// <summary>
    /// Size of one log segment file in bytes; a power of two, at least one page. Space is given back to
    /// the file system one whole segment at a time after compaction, so the log can hold up to about one
    /// segment more than twice its live data.
    /// </summary>
    public long SegmentBytes { get; init; } = 4 << 20;

    /// <summary>
    /// Number of hash index buckets; a power of two. Each bucket takes 64 bytes of memory and 64 bytes
    /// in every checkpoint, and stores up to seven keys before it chains an overflow bucket. The
    /// default of 8,192 buckets (512 KiB) stores about 57,000 keys without overflow. That is far more
    /// than an appliance's agents and variable sets, and it keeps the idle footprint small.
    /// </summary>
    public int IndexBuckets { get; init; } = 1 << 13;

    /// <summary>
    /// Time between background checkpoints. Zero or a negative value turns the background loop off,
    /// so only <see cref="StateStore.CheckpointAsync"/> and dispose take checkpoints.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>When writes become durable; <see cref="StateCommitPolicy.Sync"/> by default.</summary>
    public StateCommitPolicy CommitPolicy { get; init; } = StateCommitPolicy.Sync;

    /// <summary>
    /// Time between journal commits under <see cref="StateCommitPolicy.Interval"/>; ignored by the
    /// other policies. Must be positive.
    /// </summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Journal size in bytes past which a write starts a checkpoint, so that a burst of writes between
    /// two periodic checkpoints cannot fill the disk. The journal keeps the entries since the older of
    /// the two kept checkpoints, so it stays below about twice this size.
    /// </summary>
    public long MaxJournalBytes { get; init; } = 32 << 20;
}
