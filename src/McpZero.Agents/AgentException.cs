using McpZero.Protocol;

namespace McpZero.Agents;

/// <summary>A request the agent runtime rejected or could not complete; <see cref="Code"/> goes on the wire.</summary>
public sealed class AgentException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;

    /// <summary>An estimate of when a retry may succeed, for <see cref="ErrorCode.Busy"/>, or null when there is none.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
