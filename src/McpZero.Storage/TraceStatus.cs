namespace McpZero.Storage;

/// <summary>Outcome of one traced call; the detail of a failure is in <see cref="TraceRecord.ErrorCode"/>.</summary>
public enum TraceStatus : byte
{
    /// <summary>The call returned normally.</summary>
    Ok = 0,

    /// <summary>The call failed, and <see cref="TraceRecord.ErrorCode"/> gives the reason.</summary>
    Failed = 1,

    /// <summary>
    /// The call returned a result from the result cache without running the plugin; the record's
    /// output hash is that of the cached output.
    /// </summary>
    Cached = 2,
}
