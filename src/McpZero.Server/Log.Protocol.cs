using Microsoft.Extensions.Logging;

namespace McpZero.Server;

internal static partial class Log
{
    [LoggerMessage(240, LogLevel.Warning, "Connection {ConnectionId}: a frame stayed incomplete for {Seconds} s with {Bytes} bytes buffered (FrameReadTimeoutSeconds); closing the connection ({Suppressed} similar closes not logged since the last one)", EventName = "FrameReadTimedOut")]
    public static partial void FrameReadTimedOut(ILogger logger, long connectionId, double seconds, long bytes, long suppressed);

    [LoggerMessage(241, LogLevel.Information, "Connection {ConnectionId}: idle for {Seconds} s with no request in flight (IdleConnectionTimeoutSeconds); closing the connection ({Suppressed} similar closes not logged since the last one)", EventName = "IdleConnectionClosed")]
    public static partial void IdleConnectionClosed(ILogger logger, long connectionId, double seconds, long suppressed);

    [LoggerMessage(242, LogLevel.Debug, "Connection {ConnectionId}: the client cancelled request {RequestId}", EventName = "RequestCancelled")]
    public static partial void RequestCancelled(ILogger logger, long connectionId, uint requestId);

    [LoggerMessage(243, LogLevel.Debug, "Connection {ConnectionId}: request {RequestId} rejected: the {MessageName} body of {Bytes} bytes exceeds its limit of {Limit} bytes", EventName = "PayloadRejected")]
    public static partial void PayloadRejected(ILogger logger, long connectionId, uint requestId, string messageName, uint bytes, uint limit);
}
