using Microsoft.Extensions.Logging;

namespace McpZero.Storage.Internal;

/// <summary>Log messages of <see cref="TraceLog"/>; event ids 3100-3199.</summary>
internal static partial class TraceLogLog
{
    [LoggerMessage(3100, LogLevel.Information, "Trace log in '{Directory}' opened with {Count} records")]
    public static partial void Opened(ILogger logger, string directory, long count);

    [LoggerMessage(3101, LogLevel.Error, "Trace log in '{Directory}' failed verification on open at sequence {Sequence}: {Message}; new records continue the chain after the last readable record")]
    public static partial void ChainBrokenOnOpen(ILogger logger, string directory, long sequence, string message);

    [LoggerMessage(3102, LogLevel.Error, "Trace log group commit failed; the next interval retries")]
    public static partial void CommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(3103, LogLevel.Error, "Final trace log commit on dispose failed; records appended since the last commit are lost")]
    public static partial void FinalCommitFailed(ILogger logger, Exception exception);
}
