using McpZero.Agents;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.UnitTests.Agents;

/// <summary>
/// Byte-exact checks of the MemoryPack documents the agent runtime keeps in the state store, written
/// from <see cref="StoredDocumentSamples"/> with MemoryPack 1.22.0 and default options, as the store does.
/// </summary>
public sealed class StoredDocumentGoldenTests
{
    // A change to these bytes breaks data written by earlier releases, so add members at new orders and never edit these strings.
    private const string ConstraintsGolden =
        "03040408400000008813000040420F0000000000";

    private const string AgentGolden =
        "090B0B1214341F08080FFCFFFFFF03000000612D31FCFFFFFF030000006F7073F5FFFFFF0A0000007465726D696E6174" +
        "656403040408400000008813000040420F000000000002000000FBFFFFFF040000006D6F6465FBFFFFFF040000006661" +
        "7374F9FFFFFF06000000726567696F6EFDFFFFFF02000000657502000000F8FFFFFF07000000636F756E746572FBFFFF" +
        "FF040000006563686F00401E18240A06002A0000000000000001000000FCFFFFFF03000000732D31";

    // AgentGolden above is the layout before the owner uid (orders 9 and 10) was added; it is only read.
    private const string AgentWithOwnerUidGolden =
        "0B0B0B1214341F08080F0104FCFFFFFF03000000612D31FCFFFFFF030000006F7073F5FFFFFF0A0000007465726D696E" +
        "6174656403040408400000008813000040420F000000000002000000FBFFFFFF040000006D6F6465FBFFFFFF04000000" +
        "66617374F9FFFFFF06000000726567696F6EFDFFFFFF02000000657502000000F8FFFFFF07000000636F756E746572FB" +
        "FFFFFF040000006563686F00401E18240A06002A0000000000000001000000FCFFFFFF03000000732D3101E8030000";

    private const string PluginGolden =
        "090F10081E1908040408F8FFFFFF07000000636F756E746572F7FFFFFF08000000356538383438393800500000000000" +
        "0002000000FAFFFFFF05000000636F756E74FAFFFFFF05000000726573657401000000FBFFFFFF0400000073746570FE" +
        "FFFFFF010000003201401E18240A060010000000DC0500000010000000000000";

    // PluginGolden above is the layout before Version (order 9) to Capabilities (order 13) were added; it is only read.
    private const string SignedPluginGolden =
        "0E0F10081E19080404080D14101110F8FFFFFF07000000636F756E746572F7FFFFFF0800000035653838343839380050" +
        "00000000000002000000FAFFFFFF05000000636F756E74FAFFFFFF05000000726573657401000000FBFFFFFF04000000" +
        "73746570FEFFFFFF010000003201401E18240A060010000000DC0500000010000000000000FAFFFFFF05000000312E32" +
        "2E30F3FFFFFF0C000000436F756E74732063616C6C73F7FFFFFF080000003966383664303831F6FFFFFF090000002320" +
        "636F756E74657201000000FBFFFFFF0400000076617273";

    // SignedPluginGolden above is the layout before CacheableExports (order 14) was added; it is only read.
    private const string PluginWithCacheableExportsGolden =
        "0F0F10081E19080404080D1410111011F8FFFFFF07000000636F756E746572F7FFFFFF08000000356538383438393800" +
        "5000000000000002000000FAFFFFFF05000000636F756E74FAFFFFFF05000000726573657401000000FBFFFFFF040000" +
        "0073746570FEFFFFFF010000003201401E18240A060010000000DC0500000010000000000000FAFFFFFF05000000312E" +
        "322E30F3FFFFFF0C000000436F756E74732063616C6C73F7FFFFFF080000003966383664303831F6FFFFFF0900000023" +
        "20636F756E74657201000000FBFFFFFF040000007661727301000000FAFFFFFF05000000636F756E74";

    // PluginWithCacheableExportsGolden above is the layout before the sandbox grants (orders 15 to 17) were added; it is only read.
    private const string PluginWithSandboxGolden =
        "120F10081E19080404080D1410111011304408F8FFFFFF07000000636F756E746572F7FFFFFF08000000356538383438" +
        "3938005000000000000002000000FAFFFFFF05000000636F756E74FAFFFFFF05000000726573657401000000FBFFFFFF" +
        "0400000073746570FEFFFFFF010000003201401E18240A060010000000DC0500000010000000000000FAFFFFFF050000" +
        "00312E322E30F3FFFFFF0C000000436F756E74732063616C6C73F7FFFFFF080000003966383664303831F6FFFFFF0900" +
        "00002320636F756E74657201000000FBFFFFFF040000007661727301000000FAFFFFFF05000000636F756E7402000000" +
        "F0FFFFFF0F0000006170692E6578616D706C652E636F6DF2FFFFFF0D0000002A2E6578616D706C652E6F726702000000" +
        "030F0B01F8FFFFFF070000002F7372762F696EFCFFFFFF030000002F696E0003100C01F7FFFFFF080000002F7372762F" +
        "6F7574FBFFFFFF040000002F6F7574010000010000000000";

    private const string VariablesGolden =
        "012A02000000FAFFFFFF05000000636F756E740400000001000000FAFFFFFF05000000656D70747900000000";

    private const string SnapshotGolden =
        "070B0B081C131416FCFFFFFF03000000732D31FCFFFFFF03000000612D3102401E18240A060001000000FBFFFFFF0400" +
        "00006D6F6465FBFFFFFF040000006661737401000000F8FFFFFF07000000636F756E7465720304040840000000881300" +
        "0040420F000000000001000000FAFFFFFF05000000636F756E740100000007";

    // SnapshotGolden above is the layout before VariableBlobs (order 7) was added; it is only read.
    private const string SnapshotWithBlobsGolden =
        "080B0B081C13140429FCFFFFFF03000000732D32FCFFFFFF03000000612D3103401E18240A060001000000FBFFFFFF04" +
        "0000006D6F6465FBFFFFFF040000006661737401000000F8FFFFFF07000000636F756E74657203040408400000008813" +
        "000040420F00000000000000000001000000FAFFFFFF05000000636F756E74EFFFFFFF10000000636139373831313263" +
        "61316262646361";

    private const string IndexGolden =
        "011A02000000FCFFFFFF03000000612D31FCFFFFFF03000000612D32";

    [Fact]
    public void ConstraintsSerializeToGolden()
    {
        Assert.Equal(ConstraintsGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(StoredDocumentSamples.Constraints())));
    }

    [Fact]
    public void AgentRecordSerializesToGolden()
    {
        Assert.Equal(AgentWithOwnerUidGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(StoredDocumentSamples.AgentWithOwnerUid())));
    }

    [Fact]
    public void AgentRecordWithOwnerUidReadsFromGolden()
    {
        AgentRecord? agent = MemoryPackSerializer.Deserialize<AgentRecord>(Convert.FromHexString(AgentWithOwnerUidGolden));

        Assert.NotNull(agent);
        Assert.Equal("a-1", agent.AgentId);
        Assert.Equal(["s-1"], agent.Snapshots);
        Assert.Equal(1000u, agent.OwnerUid);
    }

    [Fact]
    public void PluginRecordSerializesToGolden()
    {
        Assert.Equal(PluginWithSandboxGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(StoredDocumentSamples.PluginWithSandbox())));
    }

    [Fact]
    public void PluginRecordWithSandboxReadsFromGolden()
    {
        PluginRecord? plugin = MemoryPackSerializer.Deserialize<PluginRecord>(Convert.FromHexString(PluginWithSandboxGolden));

        Assert.NotNull(plugin);
        Assert.Equal("counter", plugin.Name);
        Assert.Equal(4_096, plugin.MaxVariableBytes);
        Assert.Equal("1.2.0", plugin.Version);
        Assert.Equal(["count"], plugin.CacheableExports);
        Assert.Equal(["api.example.com", "*.example.org"], plugin.AllowedHosts);
        Assert.Equal(2, plugin.AllowedPaths.Count);
        Assert.Equal(("/srv/in", "/in", false), (plugin.AllowedPaths[0].HostPath, plugin.AllowedPaths[0].GuestPath, plugin.AllowedPaths[0].Writable));
        Assert.Equal(("/srv/out", "/out", true), (plugin.AllowedPaths[1].HostPath, plugin.AllowedPaths[1].GuestPath, plugin.AllowedPaths[1].Writable));
        Assert.Equal(65_536, plugin.MaxHttpResponseBytes);
    }

    [Fact]
    public void PluginRecordWithCacheableExportsReadsFromGolden()
    {
        PluginRecord? plugin = MemoryPackSerializer.Deserialize<PluginRecord>(Convert.FromHexString(PluginWithCacheableExportsGolden));

        Assert.NotNull(plugin);
        Assert.Equal("counter", plugin.Name);
        Assert.Equal("1.2.0", plugin.Version);
        Assert.Equal(["vars"], plugin.Capabilities);
        Assert.Equal(["count"], plugin.CacheableExports);
    }

    [Fact]
    public void SignedPluginRecordReadsFromGolden()
    {
        PluginRecord? plugin = MemoryPackSerializer.Deserialize<PluginRecord>(Convert.FromHexString(SignedPluginGolden));

        Assert.NotNull(plugin);
        Assert.Equal("counter", plugin.Name);
        Assert.Equal(4_096, plugin.MaxVariableBytes);
        Assert.Equal("1.2.0", plugin.Version);
        Assert.Equal("Counts calls", plugin.Description);
        Assert.Equal("9f86d081", plugin.SignerKeyId);
        Assert.Equal("# counter", plugin.Readme);
        Assert.Equal(["vars"], plugin.Capabilities);
        Assert.Empty(plugin.CacheableExports);
    }

    [Fact]
    public void SignedPluginRecordReadsInPreviousLayout()
    {
        PreviousPluginRecord? plugin = MemoryPackSerializer.Deserialize<PreviousPluginRecord>(Convert.FromHexString(SignedPluginGolden));

        Assert.NotNull(plugin);
        Assert.Equal("counter", plugin.Name);
        Assert.Equal("5e884898", plugin.Sha256);
        Assert.Equal(["count", "reset"], plugin.Exports);
        Assert.Equal(1_700_000_000_000_001, plugin.InstalledUnixMicros);
        Assert.Equal(16, plugin.MaxPages);
        Assert.Equal(1_500, plugin.TimeoutMs);
        Assert.Equal(4_096, plugin.MaxVariableBytes);
    }

    [Fact]
    public void VariableSetSerializesToGolden()
    {
        Assert.Equal(VariablesGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(StoredDocumentSamples.Variables())));
    }

    [Fact]
    public void SnapshotRecordSerializesToGolden()
    {
        Assert.Equal(SnapshotWithBlobsGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(StoredDocumentSamples.SnapshotWithBlobs())));
    }

    [Fact]
    public void SnapshotRecordWithBlobsReadsFromGolden()
    {
        SnapshotRecord? snapshot = MemoryPackSerializer.Deserialize<SnapshotRecord>(Convert.FromHexString(SnapshotWithBlobsGolden));

        Assert.NotNull(snapshot);
        Assert.Equal("s-2", snapshot.SnapshotId);
        Assert.Equal(1_700_000_000_000_003, snapshot.CreatedUnixMicros);
        Assert.Empty(snapshot.Variables);
        Assert.Single(snapshot.VariableBlobs);
        Assert.Equal("ca978112ca1bbdca", snapshot.VariableBlobs["count"]);
    }

    [Fact]
    public void IdIndexSerializesToGolden()
    {
        Assert.Equal(IndexGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(StoredDocumentSamples.Index())));
    }

    [Fact]
    public void ConstraintsReadFromGolden()
    {
        AgentConstraints? constraints = MemoryPackSerializer.Deserialize<AgentConstraints>(Convert.FromHexString(ConstraintsGolden));

        Assert.NotNull(constraints);
        AssertSampleConstraints(constraints);
    }

    [Fact]
    public void AgentRecordReadsFromGolden()
    {
        AgentRecord? agent = MemoryPackSerializer.Deserialize<AgentRecord>(Convert.FromHexString(AgentGolden));

        Assert.NotNull(agent);
        Assert.Equal("a-1", agent.AgentId);
        Assert.Equal("ops", agent.Owner);
        Assert.Equal(AgentStatus.Terminated, agent.Status);
        AssertSampleConstraints(agent.Constraints);
        Assert.Equal(2, agent.Config.Count);
        Assert.Equal("fast", agent.Config["mode"]);
        Assert.Equal("eu", agent.Config["region"]);
        Assert.Equal(["counter", "echo"], agent.Plugins);
        Assert.Equal(1_700_000_000_000_000, agent.CreatedUnixMicros);
        Assert.Equal(42, agent.Executions);
        Assert.Equal(["s-1"], agent.Snapshots);

        // An agent stored before owner uids were recorded has none, so only admins may use it.
        Assert.Null(agent.OwnerUid);
    }

    [Fact]
    public void PluginRecordReadsFromGolden()
    {
        PluginRecord? plugin = MemoryPackSerializer.Deserialize<PluginRecord>(Convert.FromHexString(PluginGolden));

        Assert.NotNull(plugin);
        Assert.Equal("counter", plugin.Name);
        Assert.Equal("5e884898", plugin.Sha256);
        Assert.Equal(20_480, plugin.SizeBytes);
        Assert.Equal(["count", "reset"], plugin.Exports);
        Assert.Single(plugin.Config);
        Assert.Equal("2", plugin.Config["step"]);
        Assert.Equal(1_700_000_000_000_001, plugin.InstalledUnixMicros);
        Assert.Equal(16, plugin.MaxPages);
        Assert.Equal(1_500, plugin.TimeoutMs);
        Assert.Equal(4_096, plugin.MaxVariableBytes);
        Assert.Empty(plugin.CacheableExports);

        // Members that older bytes lack come back null; the runtime fills them when it loads the catalog.
        Assert.Null(plugin.Version);
        Assert.Empty(plugin.AllowedHosts);
        Assert.Empty(plugin.AllowedPaths);
        Assert.Equal(0, plugin.MaxHttpResponseBytes);
    }

    [Fact]
    public void VariableSetReadsFromGolden()
    {
        VariableSet? variables = MemoryPackSerializer.Deserialize<VariableSet>(Convert.FromHexString(VariablesGolden));

        Assert.NotNull(variables);
        Assert.Equal(2, variables.Values.Count);
        Assert.Equal(new byte[] { 1, 0, 0, 0 }, variables.Values["count"]);
        Assert.Empty(variables.Values["empty"]);
    }

    [Fact]
    public void SnapshotRecordReadsFromGolden()
    {
        SnapshotRecord? snapshot = MemoryPackSerializer.Deserialize<SnapshotRecord>(Convert.FromHexString(SnapshotGolden));

        Assert.NotNull(snapshot);
        Assert.Equal("s-1", snapshot.SnapshotId);
        Assert.Equal("a-1", snapshot.AgentId);
        Assert.Equal(1_700_000_000_000_002, snapshot.CreatedUnixMicros);
        Assert.Single(snapshot.Config);
        Assert.Equal("fast", snapshot.Config["mode"]);
        Assert.Equal(["counter"], snapshot.Plugins);
        AssertSampleConstraints(snapshot.Constraints);
        Assert.Single(snapshot.Variables);
        Assert.Equal(new byte[] { 7 }, snapshot.Variables["count"]);

        // MemoryPack leaves a member that older bytes lack at null, not at its initializer.
        Assert.Null(snapshot.VariableBlobs);
    }

    [Fact]
    public void IdIndexReadsFromGolden()
    {
        IdIndex? index = MemoryPackSerializer.Deserialize<IdIndex>(Convert.FromHexString(IndexGolden));

        Assert.NotNull(index);
        Assert.Equal(["a-1", "a-2"], index.Ids);
    }

    private static void AssertSampleConstraints(AgentConstraints constraints)
    {
        Assert.Equal(64, constraints.MemoryMb);
        Assert.Equal(5_000, constraints.TimeoutMs);
        Assert.Equal(1_000_000, constraints.Fuel);
    }
}
