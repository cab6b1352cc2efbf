using Microsoft.Extensions.Logging;

namespace McpZero.Server;

internal static partial class Log
{
    [LoggerMessage(80, LogLevel.Error, "Returning the pool leases of closed connection {ConnectionId} failed; its agents stay leased until a restart", EventName = "LeaseReturnFailed")]
    public static partial void LeaseReturnFailed(ILogger logger, long connectionId, Exception exception);
}
