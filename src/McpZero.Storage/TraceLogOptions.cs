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

    /// <summary>Size of one log segment file in bytes; a power of two, at least one page.</summary>
    public long SegmentBytes { get; init; } = 64 << 20;

    /// <summary>
    /// Time between group commits. Appends within one interval share one durable commit, which costs
    /// a disk flush.
    /// </summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(20);
}
