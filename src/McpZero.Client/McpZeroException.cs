using McpZero.Protocol;

namespace McpZero.Client;

/// <summary>The server returned an error for a request.</summary>
public sealed class McpZeroServerException(ErrorCode code, string message) : Exception(message)
{
    public ErrorCode Code { get; } = code;

    /// <summary>The server's estimate of when a retry may succeed, sent with Busy, or null when it sent none.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>No daemon could be reached on the socket, or the connection broke.</summary>
public sealed class McpZeroConnectionException(string socketPath, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string SocketPath { get; } = socketPath;
}
