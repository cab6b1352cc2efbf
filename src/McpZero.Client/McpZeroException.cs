using McpZero.Protocol;

namespace McpZero.Client;

/// <summary>The server returned an error for a request.</summary>
public sealed class McpZeroServerException(ErrorCode code, string message) : Exception(message)
{
    /// <summary>The stable error code of the failure, as the server sent it.</summary>
    public ErrorCode Code { get; } = code;

    /// <summary>The server's estimate of when a retry may succeed, sent with Busy, or null when it sent none.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>No daemon could be reached on the socket, or the connection broke.</summary>
public sealed class McpZeroConnectionException(string socketPath, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The daemon's socket path that the failed connection used.</summary>
    public string SocketPath { get; } = socketPath;

    /// <summary>
    /// True when the request that failed was never written to the socket, so the daemon cannot have
    /// run it and sending it again is safe. False when it may have been written.
    /// </summary>
    public bool NotSent { get; init; }
}
