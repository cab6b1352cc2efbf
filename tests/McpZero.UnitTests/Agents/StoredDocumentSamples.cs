using McpZero.Agents;
using McpZero.Protocol.Messages;

namespace McpZero.UnitTests.Agents;

/// <summary>Fixed instances of every stored document. The golden bytes in StoredDocumentGoldenTests were written from these.</summary>
internal static class StoredDocumentSamples
{
    public static AgentConstraints Constraints() => new() { MemoryMb = 64, TimeoutMs = 5_000, Fuel = 1_000_000 };

    public static AgentRecord Agent() => new()
    {
        AgentId = "a-1",
        Owner = "ops",
        Status = AgentStatus.Terminated,
        Constraints = Constraints(),
        Config = new Dictionary<string, string> { ["mode"] = "fast", ["region"] = "eu" },
        Plugins = ["counter", "echo"],
        CreatedUnixMicros = 1_700_000_000_000_000,
        Executions = 42,
        Snapshots = ["s-1"],
    };

    public static AgentRecord AgentWithOwnerUid()
    {
        AgentRecord agent = Agent();
        agent.OwnerUid = 1000;
        return agent;
    }

    public static PluginRecord Plugin() => new()
    {
        Name = "counter",
        Sha256 = "5e884898",
        SizeBytes = 20_480,
        Exports = ["count", "reset"],
        Config = new Dictionary<string, string> { ["step"] = "2" },
        InstalledUnixMicros = 1_700_000_000_000_001,
        MaxPages = 16,
        TimeoutMs = 1_500,
        MaxVariableBytes = 4_096,
    };

    public static PluginRecord SignedPlugin() => new()
    {
        Name = "counter",
        Sha256 = "5e884898",
        SizeBytes = 20_480,
        Exports = ["count", "reset"],
        Config = new Dictionary<string, string> { ["step"] = "2" },
        InstalledUnixMicros = 1_700_000_000_000_001,
        MaxPages = 16,
        TimeoutMs = 1_500,
        MaxVariableBytes = 4_096,
        Version = "1.2.0",
        Description = "Counts calls",
        SignerKeyId = "9f86d081",
        Readme = "# counter",
        Capabilities = ["vars"],
    };

    public static PluginRecord SignedPluginWithCacheableExports()
    {
        PluginRecord plugin = SignedPlugin();
        plugin.CacheableExports = ["count"];
        return plugin;
    }

    /// <summary><see cref="SignedPluginWithCacheableExports"/> with the sandbox grants of orders 15 to 17 set.</summary>
    public static PluginRecord PluginWithSandbox()
    {
        PluginRecord plugin = SignedPluginWithCacheableExports();
        plugin.AllowedHosts = ["api.example.com", "*.example.org"];
        plugin.AllowedPaths = [new StoredPathGrant { HostPath = "/srv/in", GuestPath = "/in", Writable = false }, new StoredPathGrant { HostPath = "/srv/out", GuestPath = "/out", Writable = true }];
        plugin.MaxHttpResponseBytes = 65_536;
        return plugin;
    }

    public static VariableSet Variables() => new()
    {
        Values = new Dictionary<string, byte[]> { ["count"] = [1, 0, 0, 0], ["empty"] = [] },
    };

    public static SnapshotRecord Snapshot() => new()
    {
        SnapshotId = "s-1",
        AgentId = "a-1",
        CreatedUnixMicros = 1_700_000_000_000_002,
        Config = new Dictionary<string, string> { ["mode"] = "fast" },
        Plugins = ["counter"],
        Constraints = Constraints(),
        Variables = new Dictionary<string, byte[]> { ["count"] = [7] },
    };

    public static SnapshotRecord SnapshotWithBlobs() => new()
    {
        SnapshotId = "s-2",
        AgentId = "a-1",
        CreatedUnixMicros = 1_700_000_000_000_003,
        Config = new Dictionary<string, string> { ["mode"] = "fast" },
        Plugins = ["counter"],
        Constraints = Constraints(),
        VariableBlobs = new Dictionary<string, string> { ["count"] = "ca978112ca1bbdca" },
    };

    public static IdIndex Index() => new() { Ids = ["a-1", "a-2"] };
}
