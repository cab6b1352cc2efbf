namespace McpZero.Storage;

/// <summary>
/// The caller's part of a <see cref="TraceRecord"/>; <see cref="TraceLog.Append"/> adds the sequence and
/// the hashes.
/// </summary>
public readonly record struct TraceRecordDraft
{
    /// <summary>Time the call started, in microseconds since the Unix epoch; 0 means "now".</summary>
    public long TimestampUnixMicros { get; init; }

    /// <summary>Agent that made the call.</summary>
    public required string AgentId { get; init; }

    /// <summary>Plugin that handled the call.</summary>
    public required string Plugin { get; init; }

    /// <summary>Plugin export that was called.</summary>
    public required string Method { get; init; }

    /// <summary>SHA-256 of the call input; null is stored as empty.</summary>
    public byte[]? InputSha256 { get; init; }

    /// <summary>SHA-256 of the call output; null is stored as empty.</summary>
    public byte[]? OutputSha256 { get; init; }

    /// <summary>Outcome of the call.</summary>
    public TraceStatus Status { get; init; }

    /// <summary>Failure detail; 0 when the call succeeded.</summary>
    public ushort ErrorCode { get; init; }

    /// <summary>Duration of the call in microseconds.</summary>
    public long DurationMicros { get; init; }
}
