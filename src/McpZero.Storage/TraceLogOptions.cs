namespace McpZero.Storage;

/// <summary>Settings for <see cref="TraceLog.Open"/>.</summary>
public sealed class TraceLogOptions
{
    /// <summary>
    /// In-memory log buffer in bytes; a power of two of at least two pages. FASTER allocates each page
    /// the first time the log reaches it and keeps it until dispose, so all of it ends up resident.
    /// </summary>
    public long MemoryBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Log page size in bytes; a power of two. One serialized record must fit in a page. FasterLog does
    /// not store the page size, and a log written with one page size cannot be read with another.
    /// </summary>
    public long PageBytes { get; init; } = 256 << 10;

    /// <summary>
    /// Size of one log segment file in bytes; a power of two, at least one page. Retention frees disk
    /// space one whole segment file at a time.
    /// </summary>
    public long SegmentBytes { get; init; } = 64 << 20;

    /// <summary>
    /// Time between group commits. Appends within one interval share one durable commit, which costs
    /// a disk flush.
    /// </summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Records per seal at most, and records per sparse-index block at least. A block closes at the
    /// first seal after it reaches this many records, so blocks hold 1 to 2 times this many.
    /// </summary>
    public int BlockRecords { get; init; } = 1024;

    /// <summary>
    /// Log size in bytes (from the oldest kept record to the tail) above which retention removes the
    /// oldest blocks; 0 keeps everything.
    /// </summary>
    public long MaxBytes { get; init; }

    /// <summary>Age of the newest record in a block after which retention removes the block; zero keeps everything.</summary>
    public TimeSpan MaxAge { get; init; }
}
