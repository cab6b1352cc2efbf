using McpZero.Protocol;
using Microsoft.Extensions.Logging;

namespace McpZero.Agents;

internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Loaded {Agents} agents, {Plugins} plugins and {TraceRecords} trace records", EventName = "CatalogsLoaded")]
    public static partial void CatalogsLoaded(ILogger logger, int agents, int plugins, long traceRecords);

    [LoggerMessage(101, LogLevel.Error, "The {Kind} index lists '{Id}' but its document is missing; it is skipped", EventName = "CatalogEntryMissing")]
    public static partial void CatalogEntryMissing(ILogger logger, string kind, string id);

    [LoggerMessage(110, LogLevel.Information, "Installed plugin {Plugin} (sha256 {Sha256}, {SizeBytes} bytes, {Exports} exports)", EventName = "PluginInstalled")]
    public static partial void PluginInstalled(ILogger logger, string plugin, string sha256, int sizeBytes, int exports);

    [LoggerMessage(111, LogLevel.Information, "Removed plugin {Plugin}", EventName = "PluginRemoved")]
    public static partial void PluginRemoved(ILogger logger, string plugin);

    [LoggerMessage(120, LogLevel.Information, "Spawned agent {AgentId} for owner {Owner}", EventName = "AgentSpawned")]
    public static partial void AgentSpawned(ILogger logger, string agentId, string owner);

    [LoggerMessage(121, LogLevel.Information, "Attached plugin {Plugin} to agent {AgentId}", EventName = "PluginAttached")]
    public static partial void PluginAttached(ILogger logger, string agentId, string plugin);

    [LoggerMessage(122, LogLevel.Information, "Took snapshot {SnapshotId} of agent {AgentId} with {Variables} variables", EventName = "SnapshotTaken")]
    public static partial void SnapshotTaken(ILogger logger, string agentId, string snapshotId, int variables);

    [LoggerMessage(123, LogLevel.Information, "Recovered agent {AgentId} from snapshot {SnapshotId}", EventName = "AgentRecovered")]
    public static partial void AgentRecovered(ILogger logger, string agentId, string snapshotId);

    [LoggerMessage(124, LogLevel.Information, "Terminated agent {AgentId}", EventName = "AgentTerminated")]
    public static partial void AgentTerminated(ILogger logger, string agentId);

    [LoggerMessage(130, LogLevel.Warning, "Execution of {Plugin}.{Method} on agent {AgentId} failed with {Code}: {Reason}", EventName = "ExecutionFailed")]
    public static partial void ExecutionFailed(ILogger logger, string agentId, string plugin, string method, ErrorCode code, string reason);

    [LoggerMessage(150, LogLevel.Information, "Created index on {Collection}.{Field}", EventName = "IndexCreated")]
    public static partial void IndexCreated(ILogger logger, string collection, string field);

    [LoggerMessage(151, LogLevel.Warning, "Index on {Collection}.{Field} did not match the documents, as after a crash between a document write and its index write; rebuilt it from them", EventName = "IndexRebuilt")]
    public static partial void IndexRebuilt(ILogger logger, string collection, string field);

    [LoggerMessage(152, LogLevel.Error, "Index catalog entry '{Entry}' is skipped: {Reason}", EventName = "IndexSkipped")]
    public static partial void IndexSkipped(ILogger logger, string entry, string reason);

    [LoggerMessage(153, LogLevel.Information, "Registered resource {ResourceId} ({ResourceType}) with {Capabilities} capabilities", EventName = "ResourceRegistered")]
    public static partial void ResourceRegistered(ILogger logger, string resourceId, string resourceType, int capabilities);

    [LoggerMessage(154, LogLevel.Information, "Unregistered resource {ResourceId}", EventName = "ResourceUnregistered")]
    public static partial void ResourceUnregistered(ILogger logger, string resourceId);

    [LoggerMessage(160, LogLevel.Information, "Deleted snapshot {SnapshotId} of agent {AgentId}", EventName = "SnapshotDeleted")]
    public static partial void SnapshotDeleted(ILogger logger, string agentId, string snapshotId);
}
