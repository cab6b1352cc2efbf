using Microsoft.Extensions.Logging;

namespace McpZero.Server;

// Access control: event ids 260-269.
internal static partial class Log
{
    [LoggerMessage(260, LogLevel.Warning, "Connection {ConnectionId}: denied {RequestType} to uid {Uid} (pid {ProcessId}): {Reason} ({Suppressed} similar denials not logged since the last one)", EventName = "PermissionDenied")]
    public static partial void PermissionDenied(ILogger logger, long connectionId, string requestType, uint uid, int processId, string reason, long suppressed);

    [LoggerMessage(261, LogLevel.Information, "Admins are root, the daemon's uid {DaemonUid} and members of group {Group} (gid {Gid})", EventName = "AdminsConfigured")]
    public static partial void AdminsConfigured(ILogger logger, uint daemonUid, string group, uint gid);

    [LoggerMessage(262, LogLevel.Warning, "Admin group {Group} (AdminGroup) does not exist, so only root and the daemon's uid {DaemonUid} are admins; create the group or set AdminGroup", EventName = "AdminGroupMissing")]
    public static partial void AdminGroupMissing(ILogger logger, string group, uint daemonUid);

    [LoggerMessage(263, LogLevel.Warning, "Reading /etc/passwd or /etc/group failed, so uid {Uid} is not treated as an admin: {Reason} ({Suppressed} similar failures not logged since the last one)", EventName = "GroupDatabaseUnreadable")]
    public static partial void GroupDatabaseUnreadable(ILogger logger, uint uid, string reason, long suppressed);

    [LoggerMessage(264, LogLevel.Warning, "Socket group {Group} (SocketGroup) does not exist, so {SocketPath} keeps the daemon's group; create the group or set SocketGroup", EventName = "SocketGroupMissing")]
    public static partial void SocketGroupMissing(ILogger logger, string group, string socketPath);

    [LoggerMessage(265, LogLevel.Error, "Setting group {Group} on {SocketPath} failed, so it keeps the daemon's group: {Reason}", EventName = "SocketGroupFailed")]
    public static partial void SocketGroupFailed(ILogger logger, string group, string socketPath, string reason);

    [LoggerMessage(266, LogLevel.Information, "Socket {SocketPath} has group {Group} (gid {Gid})", EventName = "SocketGroupSet")]
    public static partial void SocketGroupSet(ILogger logger, string socketPath, string group, uint gid);

    [LoggerMessage(267, LogLevel.Debug, "Connection {ConnectionId} is uid {Uid}, gid {Gid}, pid {ProcessId}, admin {IsAdmin}", EventName = "CallerIdentified")]
    public static partial void CallerIdentified(ILogger logger, long connectionId, uint uid, uint gid, int processId, bool isAdmin);
}
