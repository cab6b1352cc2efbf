using MemoryPack;

namespace McpZero.UnitTests.Agents;

/// <summary>
/// PluginRecord as the build before plugin versions declared it (orders 0 to 8), to check that it
/// still reads records written now.
/// </summary>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class PreviousPluginRecord
{
    [MemoryPackOrder(0)] public string Name { get; set; } = "";
    [MemoryPackOrder(1)] public string Sha256 { get; set; } = "";
    [MemoryPackOrder(2)] public long SizeBytes { get; set; }
    [MemoryPackOrder(3)] public string[] Exports { get; set; } = [];
    [MemoryPackOrder(4)] public Dictionary<string, string> Config { get; set; } = [];
    [MemoryPackOrder(5)] public long InstalledUnixMicros { get; set; }
    [MemoryPackOrder(6)] public int MaxPages { get; set; }
    [MemoryPackOrder(7)] public int TimeoutMs { get; set; }
    [MemoryPackOrder(8)] public long MaxVariableBytes { get; set; }
}
