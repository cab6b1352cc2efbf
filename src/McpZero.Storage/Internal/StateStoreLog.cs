using Microsoft.Extensions.Logging;

namespace McpZero.Storage.Internal;

/// <summary>Log messages of <see cref="StateStore"/>; event ids 3000-3099.</summary>
internal static partial class StateStoreLog
{
    [LoggerMessage(3000, LogLevel.Information, "State store in '{Directory}' has no checkpoint; starting empty")]
    public static partial void StartingEmpty(ILogger logger, string directory);

    [LoggerMessage(3001, LogLevel.Information, "State store in '{Directory}' recovered checkpoint {Token} (version {Version}, log {LogBytes} bytes)")]
    public static partial void Recovered(ILogger logger, string directory, Guid token, long version, long logBytes);

    [LoggerMessage(3002, LogLevel.Error, "Checkpoint {Token} in '{Directory}' is unreadable and was moved to '{QuarantinePath}'; {Consequence}")]
    public static partial void CheckpointUnreadable(ILogger logger, Exception exception, Guid token, string directory, string quarantinePath, string consequence);

    [LoggerMessage(3003, LogLevel.Error, "No readable checkpoint in '{Directory}' ({Count} tried); starting from an empty store plus the journal, so all state older than the journal's first entry is lost")]
    public static partial void AllCheckpointsUnreadable(ILogger logger, string directory, int count);

    [LoggerMessage(3004, LogLevel.Debug, "Checkpoint {Token} taken in {ElapsedMilliseconds} ms (log {LogBytes} bytes)")]
    public static partial void CheckpointTaken(ILogger logger, Guid token, long elapsedMilliseconds, long logBytes);

    [LoggerMessage(3005, LogLevel.Warning, "Checkpoint could not start because FASTER is busy with another state change; the next attempt retries")]
    public static partial void CheckpointNotStarted(ILogger logger);

    [LoggerMessage(3006, LogLevel.Error, "Background checkpoint failed; the next interval retries")]
    public static partial void BackgroundCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(3007, LogLevel.Information, "Compacted the state log from {BeforeBytes} to {AfterBytes} bytes")]
    public static partial void Compacted(ILogger logger, long beforeBytes, long afterBytes);

    [LoggerMessage(3008, LogLevel.Warning, "Could not delete outdated checkpoint '{Path}'; delete it by hand if disk space runs low")]
    public static partial void PurgeFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(3009, LogLevel.Error, "Final checkpoint on dispose failed; writes after the last checkpoint are lost")]
    public static partial void FinalCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(3010, LogLevel.Error, "State journal in '{Directory}' is damaged at address {Address}: {Error}. Replayed {Applied} entries; the {LostBytes} committed bytes from that address on are lost")]
    public static partial void JournalDamaged(ILogger logger, string directory, long address, long lostBytes, long applied, string error);

    [LoggerMessage(3011, LogLevel.Information, "Replayed {Applied} journal entries from address {FromAddress} in {ElapsedMilliseconds} ms")]
    public static partial void JournalReplayed(ILogger logger, long applied, long fromAddress, long elapsedMilliseconds);

    [LoggerMessage(3012, LogLevel.Error, "State journal in '{Directory}' cannot be opened and was moved to '{MovedTo}'; writes made after the last checkpoint are lost")]
    public static partial void JournalUnreadable(ILogger logger, Exception exception, string directory, string movedTo);

    [LoggerMessage(3013, LogLevel.Error, "Journal commit failed; the next interval retries")]
    public static partial void JournalCommitFailed(ILogger logger, Exception exception);
}
