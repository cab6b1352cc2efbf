namespace McpZero.Client;

/// <summary>Settings of a <see cref="McpZeroClient"/> or a <see cref="McpZeroConnectionPool"/>.</summary>
/// <remarks>Read once when the connection opens; changing an instance afterwards has no effect on open connections.</remarks>
public sealed class McpZeroClientOptions
{
    /// <summary>The name sent in hello, which the daemon writes to its log.</summary>
    public string ClientName { get; init; } = "mcpzero-client";

    /// <summary>
    /// Whether requests that wait behind a frame being written go out together in one batch frame.
    /// A request that finds the connection idle is written at once as a plain frame. Off by default,
    /// because perf/batch-bench measured no throughput gain from it on a 2-core machine.
    /// </summary>
    public bool AutoBatch { get; init; }

    /// <summary>The maximum number of requests in one batch frame, from 2 to 1024; 64 by default.</summary>
    public int MaxBatchRequests { get; init; } = 64;

    /// <summary>
    /// The maximum serialized size of one batch frame in bytes; 256 KiB by default. A request larger
    /// than this goes out alone in a plain frame. The daemon's maximum frame size also bounds a batch.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// When requests that the daemon did not run are sent again: Busy responses, and on a
    /// <see cref="McpZeroConnectionPool"/> also connection failures before the request was written.
    /// <see cref="McpZeroRetryPolicy.Default"/> by default.
    /// </summary>
    public McpZeroRetryPolicy Retry { get; init; } = McpZeroRetryPolicy.Default;

    /// <summary>The number of connections a <see cref="McpZeroConnectionPool"/> keeps open; 4 by default.</summary>
    public int Connections { get; init; } = 4;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(ClientName, nameof(ClientName));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRequests, 2, nameof(MaxBatchRequests));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBatchRequests, Protocol.Messages.BatchRequest.MaxRequests, nameof(MaxBatchRequests));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1024, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Connections, 1, nameof(Connections));
        ArgumentNullException.ThrowIfNull(Retry, nameof(Retry));
        ArgumentOutOfRangeException.ThrowIfLessThan(Retry.MaxAttempts, 1, "Retry.MaxAttempts");
    }
}
