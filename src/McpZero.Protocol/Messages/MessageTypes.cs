namespace McpZero.Protocol.Messages;

/// <summary>
/// Message type numbers: the frame header's type field and the MemoryPack union tag of the body are
/// the same number. Requests and responses have separate number spaces, distinguished by
/// <see cref="FrameFlags.Response"/>. Numbers are never reused.
/// </summary>
public static class MessageTypes
{
    public const ushort Hello = 1;
    public const ushort Status = 2;
    public const ushort Stats = 3;

    public const ushort PluginInstall = 10;
    public const ushort PluginList = 11;
    public const ushort PluginShow = 12;
    public const ushort PluginRemove = 13;

    public const ushort AgentSpawn = 20;
    public const ushort AgentList = 21;
    public const ushort AgentShow = 22;
    public const ushort AgentAttach = 23;
    public const ushort AgentExec = 24;
    public const ushort AgentSnapshot = 25;
    public const ushort AgentRecover = 26;
    public const ushort AgentTerminate = 27;

    public const ushort TraceList = 30;
    public const ushort TraceVerify = 31;

    public const ushort PoolCreate = 40;
    public const ushort PoolList = 41;
    public const ushort PoolShow = 42;
    public const ushort PoolLease = 43;
    public const ushort PoolReturn = 44;
    public const ushort PoolRemove = 45;

    public const ushort DbInsert = 50;
    public const ushort DbGet = 51;
    public const ushort DbUpdate = 52;
    public const ushort DbDelete = 53;
    public const ushort DbFind = 54;
    public const ushort DbCreateIndex = 55;
    public const ushort DbIndexList = 56;

    public const ushort AgentSnapshotDelete = 60;

    /// <summary>Carries several requests in one frame; the reply is one <see cref="BatchResult"/> frame.</summary>
    public const ushort Batch = 70;

    /// <summary>Cancels a request still in flight on the same connection. The reply is <see cref="Ok"/>.</summary>
    public const ushort Cancel = 71;

    // Responses.
    public const ushort HelloResult = 1;
    public const ushort StatusResult = 2;
    public const ushort Error = 3;
    public const ushort Ok = 4;
    public const ushort StatsResult = 5;
    public const ushort PluginInfo = 10;
    public const ushort PluginListResult = 11;
    public const ushort AgentInfo = 20;
    public const ushort AgentListResult = 21;
    public const ushort ExecResult = 22;
    public const ushort SnapshotResult = 23;
    public const ushort TraceListResult = 30;
    public const ushort TraceVerifyResult = 31;
    public const ushort PoolInfo = 40;
    public const ushort PoolListResult = 41;
    public const ushort PoolLeaseResult = 42;

    public const ushort DbDocuments = 50;
    public const ushort DbWriteResult = 51;
    public const ushort DbIndexListResult = 52;

    public const ushort BatchResult = 70;

    /// <summary>Whether <paramref name="type"/> names a request this protocol version defines.</summary>
    public static bool IsKnownRequest(ushort type) => type switch
    {
        Hello or Status or Stats or PluginInstall or PluginList or PluginShow or PluginRemove
            or AgentSpawn or AgentList or AgentShow or AgentAttach or AgentExec
            or AgentSnapshot or AgentRecover or AgentTerminate or TraceList or TraceVerify
            or PoolCreate or PoolList or PoolShow or PoolLease or PoolReturn or PoolRemove
            or DbInsert or DbGet or DbUpdate or DbDelete or DbFind or DbCreateIndex or DbIndexList
            or AgentSnapshotDelete or Batch or Cancel => true,
        _ => false,
    };
}
