using Microsoft.Extensions.Logging;

namespace McpZero.Agents;

internal static partial class Log
{
    [LoggerMessage(140, LogLevel.Information, "Created pool {Pool} of size {Size} (max {Max}, 0 for none) with plugins {Plugins}", EventName = "PoolCreated")]
    public static partial void PoolCreated(ILogger logger, string pool, int size, int max, string plugins);

    [LoggerMessage(141, LogLevel.Information, "Removed pool {Pool} and deleted its {Agents} agents", EventName = "PoolRemoved")]
    public static partial void PoolRemoved(ILogger logger, string pool, int agents);

    [LoggerMessage(142, LogLevel.Debug, "Leased agent {AgentId} of pool {Pool} to connection {Connection}", EventName = "PoolAgentLeased")]
    public static partial void PoolAgentLeased(ILogger logger, string pool, string agentId, long connection);

    [LoggerMessage(143, LogLevel.Debug, "Agent {AgentId} returned to pool {Pool} (state kept: {KeepState})", EventName = "PoolAgentReturned")]
    public static partial void PoolAgentReturned(ILogger logger, string pool, string agentId, bool keepState);

    [LoggerMessage(144, LogLevel.Information, "Returned {Agents} agents leased by closed connection {Connection}", EventName = "PoolLeasesReleased")]
    public static partial void PoolLeasesReleased(ILogger logger, long connection, int agents);

    [LoggerMessage(145, LogLevel.Warning, "Refilling pool {Pool} failed; the pool has fewer ready agents than its size until the next lease retries", EventName = "PoolRefillFailed")]
    public static partial void PoolRefillFailed(ILogger logger, string pool, Exception exception);

    [LoggerMessage(146, LogLevel.Warning, "Pool {Pool} dropped agent {AgentId} because it no longer exists or was terminated", EventName = "PoolAgentDropped")]
    public static partial void PoolAgentDropped(ILogger logger, string pool, string agentId);

    [LoggerMessage(147, LogLevel.Error, "Returning agent {AgentId} to pool {Pool} failed", EventName = "PoolReturnFailed")]
    public static partial void PoolReturnFailed(ILogger logger, string pool, string agentId, Exception exception);

    [LoggerMessage(148, LogLevel.Information, "Loaded pool {Pool}: {Ready} ready agents reset to the template, {Deleted} surplus agents deleted", EventName = "PoolLoaded")]
    public static partial void PoolLoaded(ILogger logger, string pool, int ready, int deleted);

    [LoggerMessage(149, LogLevel.Debug, "Deleted pooled agent {AgentId}", EventName = "PooledAgentDeleted")]
    public static partial void PooledAgentDeleted(ILogger logger, string agentId);
}
