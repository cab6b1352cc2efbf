using McpZero.Agents.Pools;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.UnitTests.Agents;

/// <summary>
/// Byte-exact checks of the pool definition the agent runtime keeps in the state store, written
/// from <see cref="Sample"/> with MemoryPack 1.22.0 and default options, as the store does.
/// </summary>
public sealed class PoolRecordGoldenTests
{
    // A change to these bytes breaks data written by earlier releases, so add members at new orders and never edit this string.
    private const string PoolGolden =
        "090F0B141C1F04040825F8FFFFFF07000000776F726B657273FCFFFFFF030000006F7073030404084000000088130000" +
        "40420F000000000001000000FBFFFFFF040000006D6F6465FBFFFFFF040000006661737402000000F8FFFFFF07000000" +
        "636F756E746572FBFFFFFF040000006563686F020000000500000006401E18240A060003000000FCFFFFFF0300000061" +
        "2D31FCFFFFFF03000000612D32FCFFFFFF03000000612D33";

    // PoolGolden above is the layout before the owner uid (orders 9 and 10) was added; it is only read.
    private const string PoolWithOwnerUidGolden =
        "0B0F0B141C1F040408250104F8FFFFFF07000000776F726B657273FCFFFFFF030000006F707303040408400000008813" +
        "000040420F000000000001000000FBFFFFFF040000006D6F6465FBFFFFFF040000006661737402000000F8FFFFFF0700" +
        "0000636F756E746572FBFFFFFF040000006563686F020000000500000006401E18240A060003000000FCFFFFFF030000" +
        "00612D31FCFFFFFF03000000612D32FCFFFFFF03000000612D3301E8030000";

    [Fact]
    public void PoolRecordSerializesToGolden()
    {
        PoolRecord sample = Sample();
        sample.OwnerUid = 1000;

        Assert.Equal(PoolWithOwnerUidGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(sample)));
    }

    [Fact]
    public void PoolRecordWithOwnerUidReadsFromGolden()
    {
        PoolRecord? pool = MemoryPackSerializer.Deserialize<PoolRecord>(Convert.FromHexString(PoolWithOwnerUidGolden));

        Assert.NotNull(pool);
        Assert.Equal("workers", pool.Name);
        Assert.Equal(["a-1", "a-2", "a-3"], pool.Agents);
        Assert.Equal(1000u, pool.OwnerUid);
    }

    [Fact]
    public void PoolRecordReadsFromGolden()
    {
        PoolRecord? pool = MemoryPackSerializer.Deserialize<PoolRecord>(Convert.FromHexString(PoolGolden));

        Assert.NotNull(pool);
        Assert.Equal("workers", pool.Name);
        Assert.Equal("ops", pool.Owner);
        Assert.Equal(64, pool.Constraints.MemoryMb);
        Assert.Equal(5_000, pool.Constraints.TimeoutMs);
        Assert.Equal(1_000_000, pool.Constraints.Fuel);
        Assert.Single(pool.Config);
        Assert.Equal("fast", pool.Config["mode"]);
        Assert.Equal(["counter", "echo"], pool.Plugins);
        Assert.Equal(2, pool.Size);
        Assert.Equal(5, pool.Max);
        Assert.Equal(1_700_000_000_000_006, pool.CreatedUnixMicros);
        Assert.Equal(["a-1", "a-2", "a-3"], pool.Agents);
        Assert.Null(pool.OwnerUid);
    }

    private static PoolRecord Sample() => new()
    {
        Name = "workers",
        Owner = "ops",
        Constraints = new AgentConstraints { MemoryMb = 64, TimeoutMs = 5_000, Fuel = 1_000_000 },
        Config = new Dictionary<string, string> { ["mode"] = "fast" },
        Plugins = ["counter", "echo"],
        Size = 2,
        Max = 5,
        CreatedUnixMicros = 1_700_000_000_000_006,
        Agents = ["a-1", "a-2", "a-3"],
    };
}
