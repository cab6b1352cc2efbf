using McpZero.Protocol;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {SocketPath} (mode {Mode}, max frame {MaxFrameBytes} bytes)", EventName = "Listening")]
    public static partial void Listening(ILogger logger, string socketPath, string mode, uint maxFrameBytes);

    [LoggerMessage(2, LogLevel.Information, "Stopping: no new connections; waiting for {Connections} connection(s) to finish", EventName = "Stopping")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(3, LogLevel.Information, "Stopped listening and removed the socket file", EventName = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(4, LogLevel.Error, "Accepting a connection failed", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Rejected a connection: {MaxConnections} connections are already open", EventName = "ConnectionRejected")]
    public static partial void ConnectionRejected(ILogger logger, int maxConnections);

    [LoggerMessage(6, LogLevel.Error, "Removing the socket file {SocketPath} failed", EventName = "SocketRemoveFailed")]
    public static partial void SocketRemoveFailed(ILogger logger, string socketPath, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "Agent runtime opened on {DataDirectory}", EventName = "RuntimeOpened")]
    public static partial void RuntimeOpened(ILogger logger, string dataDirectory);

    [LoggerMessage(11, LogLevel.Information, "Trace log committed and store checkpointed", EventName = "RuntimeFlushed")]
    public static partial void RuntimeFlushed(ILogger logger);

    [LoggerMessage(12, LogLevel.Error, "Flushing the agent runtime at shutdown failed", EventName = "RuntimeFlushFailed")]
    public static partial void RuntimeFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(20, LogLevel.Debug, "Connection {ConnectionId} opened", EventName = "ConnectionOpened")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId);

    [LoggerMessage(21, LogLevel.Debug, "Connection {ConnectionId} closed", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId);

    [LoggerMessage(22, LogLevel.Debug, "Connection {ConnectionId}: hello from {ClientName} (protocol {ProtocolVersion})", EventName = "HelloReceived")]
    public static partial void HelloReceived(ILogger logger, long connectionId, string clientName, int protocolVersion);

    [LoggerMessage(23, LogLevel.Debug, "Connection {ConnectionId} was reset: {Reason}", EventName = "ConnectionReset")]
    public static partial void ConnectionReset(ILogger logger, long connectionId, string reason);

    [LoggerMessage(24, LogLevel.Error, "Connection {ConnectionId} failed", EventName = "ConnectionFailed")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(25, LogLevel.Warning, "Connection {ConnectionId}: protocol error {Code}: {Reason}; closing the connection", EventName = "ProtocolError")]
    public static partial void ProtocolError(ILogger logger, long connectionId, ErrorCode code, string reason);

    [LoggerMessage(26, LogLevel.Debug, "Connection {ConnectionId} closed with a partial frame of {Bytes} bytes", EventName = "TruncatedFrame")]
    public static partial void TruncatedFrame(ILogger logger, long connectionId, long bytes);

    [LoggerMessage(27, LogLevel.Error, "Connection {ConnectionId}: handling message type {MessageType} failed", EventName = "RequestFailed")]
    public static partial void RequestFailed(ILogger logger, long connectionId, ushort messageType, Exception exception);

    [LoggerMessage(28, LogLevel.Debug, "Connection {ConnectionId}: response to request {RequestId} dropped: {Reason}", EventName = "ResponseDropped")]
    public static partial void ResponseDropped(ILogger logger, long connectionId, uint requestId, string reason);

    [LoggerMessage(29, LogLevel.Warning, "Connection {ConnectionId}: shutdown timeout passed with {InFlight} request(s) still running; closing it", EventName = "DrainTimedOut")]
    public static partial void DrainTimedOut(ILogger logger, long connectionId, int inFlight);

    [LoggerMessage(30, LogLevel.Debug, "Request of message type {MessageType} rejected with {Code}: {Reason}", EventName = "RequestRejected")]
    public static partial void RequestRejected(ILogger logger, ushort messageType, ErrorCode code, string reason);

    [LoggerMessage(40, LogLevel.Information, "mcpzero {Version} starting: pid {ProcessId}, GC heap hard limit {HeapLimitMiB} MiB ({Source})", EventName = "Starting")]
    public static partial void Starting(ILogger logger, string version, int processId, long heapLimitMiB, string source);

    [LoggerMessage(41, LogLevel.Critical, "Cannot start: {Reason}", EventName = "CannotStart")]
    public static partial void CannotStart(ILogger logger, string reason);

    [LoggerMessage(42, LogLevel.Warning, "Configuration key '{Key}' is not a setting of mcpzero and is ignored; check its spelling", EventName = "UnknownConfigurationKey")]
    public static partial void UnknownConfigurationKey(ILogger logger, string key);
}
