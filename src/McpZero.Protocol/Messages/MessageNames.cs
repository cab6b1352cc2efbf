namespace McpZero.Protocol.Messages;

/// <summary>Names of the request types, as used in configuration keys and error messages.</summary>
public static class MessageNames
{
    private static readonly Dictionary<ushort, string> Requests = new()
    {
        [MessageTypes.Hello] = "Hello",
        [MessageTypes.Status] = "Status",
        [MessageTypes.Stats] = "Stats",
        [MessageTypes.PluginInstall] = "PluginInstall",
        [MessageTypes.PluginList] = "PluginList",
        [MessageTypes.PluginShow] = "PluginShow",
        [MessageTypes.PluginRemove] = "PluginRemove",
        [MessageTypes.AgentSpawn] = "AgentSpawn",
        [MessageTypes.AgentList] = "AgentList",
        [MessageTypes.AgentShow] = "AgentShow",
        [MessageTypes.AgentAttach] = "AgentAttach",
        [MessageTypes.AgentExec] = "AgentExec",
        [MessageTypes.AgentSnapshot] = "AgentSnapshot",
        [MessageTypes.AgentRecover] = "AgentRecover",
        [MessageTypes.AgentTerminate] = "AgentTerminate",
        [MessageTypes.TraceList] = "TraceList",
        [MessageTypes.TraceVerify] = "TraceVerify",
        [MessageTypes.PoolCreate] = "PoolCreate",
        [MessageTypes.PoolList] = "PoolList",
        [MessageTypes.PoolShow] = "PoolShow",
        [MessageTypes.PoolLease] = "PoolLease",
        [MessageTypes.PoolReturn] = "PoolReturn",
        [MessageTypes.PoolRemove] = "PoolRemove",
        [MessageTypes.DbInsert] = "DbInsert",
        [MessageTypes.DbGet] = "DbGet",
        [MessageTypes.DbUpdate] = "DbUpdate",
        [MessageTypes.DbDelete] = "DbDelete",
        [MessageTypes.DbFind] = "DbFind",
        [MessageTypes.DbCreateIndex] = "DbCreateIndex",
        [MessageTypes.DbIndexList] = "DbIndexList",
        [MessageTypes.AgentSnapshotDelete] = "AgentSnapshotDelete",
        [MessageTypes.Batch] = "Batch",
        [MessageTypes.Cancel] = "Cancel",
    };

    /// <summary>Every named request type, by name.</summary>
    public static IEnumerable<KeyValuePair<ushort, string>> RequestTypes => Requests;

    /// <summary>Returns the request's name, such as "AgentExec", or "message type N" for a number without one.</summary>
    public static string Request(ushort type) => Requests.TryGetValue(type, out string? name) ? name : $"message type {type}";
}
