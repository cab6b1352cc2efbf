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

    [LoggerMessage(7, LogLevel.Warning, "Shutdown timeout of {Seconds} s passed with plugin calls still running; cancelling them", EventName = "CancellingCalls")]
    public static partial void CancellingCalls(ILogger logger, double seconds);

    [LoggerMessage(4, LogLevel.Error, "Accepting a connection failed", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Rejected a connection: {MaxConnections} connections are already open ({Suppressed} similar rejections not logged since the last one)", EventName = "ConnectionRejected")]
    public static partial void ConnectionRejected(ILogger logger, int maxConnections, long suppressed);

    [LoggerMessage(6, LogLevel.Error, "Removing the socket file {SocketPath} failed", EventName = "SocketRemoveFailed")]
    public static partial void SocketRemoveFailed(ILogger logger, string socketPath, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "Agent runtime opened on {DataDirectory}", EventName = "RuntimeOpened")]
    public static partial void RuntimeOpened(ILogger logger, string dataDirectory);

    [LoggerMessage(11, LogLevel.Information, "Trace log committed and store checkpointed", EventName = "RuntimeFlushed")]
    public static partial void RuntimeFlushed(ILogger logger);

    [LoggerMessage(12, LogLevel.Error, "Flushing the agent runtime at shutdown failed", EventName = "RuntimeFlushFailed")]
    public static partial void RuntimeFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Error, "Shutdown timed out during {Step}; exiting without it. The next start recovers from the last commit of the journal and trace log (every acknowledged write under StateCommitPolicy sync)", EventName = "RuntimeStopTimedOut")]
    public static partial void RuntimeStopTimedOut(ILogger logger, string step);

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

    [LoggerMessage(25, LogLevel.Warning, "Connection {ConnectionId}: protocol error {Code}: {Reason}; closing the connection ({Suppressed} similar errors not logged since the last one)", EventName = "ProtocolError")]
    public static partial void ProtocolError(ILogger logger, long connectionId, ErrorCode code, string reason, long suppressed);

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

    [LoggerMessage(43, LogLevel.Information, "Resource limits: cgroup {CgroupPath}, memory.max {MemoryMax}, memory.high {MemoryHigh}, cpu.max {CpuMax}, open files {OpenFilesSoft} (hard {OpenFilesHard}); accepting up to {MaxConnections} connections", EventName = "ResourceLimits")]
    public static partial void ResourceLimits(ILogger logger, string cgroupPath, string memoryMax, string memoryHigh, string cpuMax, string openFilesSoft, string openFilesHard, int maxConnections);

    [LoggerMessage(44, LogLevel.Warning, "MaxConnections {Configured} lowered to {Capped}: the open-files limit is {OpenFiles} and {Reserved} descriptors are kept for data files; raise LimitNOFILE= to allow more", EventName = "ConnectionsCapped")]
    public static partial void ConnectionsCapped(ILogger logger, int configured, int capped, long openFiles, int reserved);

    [LoggerMessage(46, LogLevel.Information, "Plugin calls run at most {Executions} at a time: the cgroup's CPU quota allows {PercentOfOneCpu:0.#}% of one CPU", EventName = "ExecutionsCapped")]
    public static partial void ExecutionsCapped(ILogger logger, int executions, double percentOfOneCpu);

    [LoggerMessage(45, LogLevel.Warning, "The cgroup's memory.max of {MemoryMaxMiB} MiB is below the GC heap hard limit of {HeapLimitMiB} MiB plus {HeadroomMiB} MiB for native memory; the kernel may kill the daemon before the GC limit applies. Raise MemoryMax= or lower DOTNET_GCHeapHardLimit", EventName = "MemoryMaxBelowHeapLimit")]
    public static partial void MemoryMaxBelowHeapLimit(ILogger logger, long memoryMaxMiB, long heapLimitMiB, long headroomMiB);

    [LoggerMessage(50, LogLevel.Information, "Using the socket passed by systemd socket activation: {SocketPath} on descriptor {Descriptor}; SocketPath and SocketMode settings are not used and the socket file is left in place at stop", EventName = "SocketActivated")]
    public static partial void SocketActivated(ILogger logger, string socketPath, int descriptor);

    [LoggerMessage(51, LogLevel.Warning, "Socket activation passed {Count} descriptors; only the first is used. Declare one ListenStream= in the .socket unit", EventName = "ExtraListenDescriptors")]
    public static partial void ExtraListenDescriptors(ILogger logger, int count);

    [LoggerMessage(52, LogLevel.Information, "Notified systemd on {NotifySocket}: READY=1", EventName = "NotifiedReady")]
    public static partial void NotifiedReady(ILogger logger, string notifySocket);

    [LoggerMessage(53, LogLevel.Warning, "Sending {State} to NOTIFY_SOCKET {NotifySocket} failed ({Failures} failure(s) so far)", EventName = "NotifyFailed")]
    public static partial void NotifyFailed(ILogger logger, string state, string notifySocket, int failures, Exception exception);

    [LoggerMessage(54, LogLevel.Information, "Watchdog enabled: interval {IntervalMs} ms; a health check runs every {PeriodMs} ms with a {TimeoutMs} ms timeout before each WATCHDOG=1", EventName = "WatchdogEnabled")]
    public static partial void WatchdogEnabled(ILogger logger, long intervalMs, long periodMs, long timeoutMs);

    [LoggerMessage(55, LogLevel.Warning, "Watchdog health check failed ({Failures} in a row), so WATCHDOG=1 was not sent: {Problem}", EventName = "WatchdogCheckFailed")]
    public static partial void WatchdogCheckFailed(ILogger logger, int failures, string problem);

    [LoggerMessage(56, LogLevel.Information, "Watchdog health check passed again after {Failures} failure(s)", EventName = "WatchdogRecovered")]
    public static partial void WatchdogRecovered(ILogger logger, int failures);

    [LoggerMessage(57, LogLevel.Information, "Stopped listening; the socket file belongs to systemd and is left in place", EventName = "StoppedActivated")]
    public static partial void StoppedActivated(ILogger logger);

    [LoggerMessage(58, LogLevel.Information, "Listening on {SocketPath} (mode {Mode}, max frame {MaxFrameBytes} bytes, socket passed by systemd)", EventName = "ListeningActivated")]
    public static partial void ListeningActivated(ILogger logger, string socketPath, string mode, uint maxFrameBytes);
}
