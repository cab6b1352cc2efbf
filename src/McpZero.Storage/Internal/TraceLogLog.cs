using Microsoft.Extensions.Logging;

namespace McpZero.Storage.Internal;

/// <summary>Log messages of <see cref="TraceLog"/>; event ids 3100-3199.</summary>
internal static partial class TraceLogLog
{
    [LoggerMessage(3100, LogLevel.Information, "Trace log in '{Directory}' opened with sequences {FirstSequence} to {NextSequence} (exclusive) and {IndexBlocks} index blocks")]
    public static partial void Opened(ILogger logger, string directory, long nextSequence, long firstSequence, int indexBlocks);

    [LoggerMessage(3101, LogLevel.Error, "Trace log in '{Directory}' failed verification on open at sequence {Sequence}: {Message}; new records continue the chain after the last readable record")]
    public static partial void ChainBrokenOnOpen(ILogger logger, string directory, long sequence, string message);

    [LoggerMessage(3102, LogLevel.Error, "Trace log group commit failed; the next interval retries")]
    public static partial void CommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(3103, LogLevel.Error, "Final trace log commit on dispose failed; records appended since the last commit are lost")]
    public static partial void FinalCommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(3104, LogLevel.Error, "Trace log in '{Directory}' lost trace records {FirstLost} to {LastLost} in a damaged or missing tail ({Reason}); new records continue the chain from sequence {FirstLost}")]
    public static partial void TailLost(ILogger logger, string directory, long firstLost, long lastLost, string reason);

    [LoggerMessage(3105, LogLevel.Warning, "Writing the trace index file '{Path}' failed; the next open rebuilds the missing entries from the log")]
    public static partial void IndexWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(3106, LogLevel.Information, "Trace retention removed records {FirstSequence} to {LastSequence} ({Bytes} bytes of log, {Reason}); the log and its verification now start at record {NewFirstSequence}")]
    public static partial void RetentionRemoved(ILogger logger, long firstSequence, long lastSequence, long bytes, string reason, long newFirstSequence);

    [LoggerMessage(3107, LogLevel.Warning, "Trace log segment files in '{Directory}' before segment {FirstKeptSegment} were still present 2 seconds after retention; FasterLog deletes them on a later append")]
    public static partial void SegmentsNotRemoved(ILogger logger, string directory, long firstKeptSegment);
}
