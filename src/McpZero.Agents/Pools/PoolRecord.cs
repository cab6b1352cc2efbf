using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.Agents.Pools;

/// <summary>
/// A pool definition in the state store: the template every pooled agent is spawned from and reset
/// to, the pool's size and maximum, and the agents it owns.
/// </summary>
/// <remarks>Version tolerant, like every stored document, so a newer build can append members.</remarks>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class PoolRecord
{
    [MemoryPackOrder(0)] public string Name { get; set; } = "";
    [MemoryPackOrder(1)] public string Owner { get; set; } = "";
    [MemoryPackOrder(2)] public AgentConstraints Constraints { get; set; } = new();
    [MemoryPackOrder(3)] public Dictionary<string, string> Config { get; set; } = [];
    [MemoryPackOrder(4)] public List<string> Plugins { get; set; } = [];

    /// <summary>Ready agents the pool keeps.</summary>
    [MemoryPackOrder(5)] public int Size { get; set; }

    /// <summary>Maximum agents of the pool at once, leased and ready together, or 0 for no maximum.</summary>
    [MemoryPackOrder(6)] public int Max { get; set; }

    [MemoryPackOrder(7)] public long CreatedUnixMicros { get; set; }

    /// <summary>Ids of the agents the pool owns, ready or leased.</summary>
    [MemoryPackOrder(8)] public List<string> Agents { get; set; } = [];

    // A flag and a value rather than a uint?, whose padding bytes MemoryPack copies uninitialized.
    [MemoryPackOrder(9)] public bool HasOwnerUid { get; set; }
    [MemoryPackOrder(10)] public uint OwnerUidValue { get; set; }

    /// <summary>
    /// Uid of the pool's creator, which owns the pool's agents while they are not leased. Null for a
    /// pool stored before owner uids were recorded.
    /// </summary>
    [MemoryPackIgnore]
    public uint? OwnerUid
    {
        get => HasOwnerUid ? OwnerUidValue : null;
        set
        {
            HasOwnerUid = value.HasValue;
            OwnerUidValue = value ?? 0;
        }
    }
}

/// <summary>Keys of the pool documents in the state store.</summary>
internal static class PoolStoreKeys
{
    public const string Index = "index/pools";

    public static string Pool(string name) => "pool/" + name;
}
