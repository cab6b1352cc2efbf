using MemoryPack;

namespace McpZero.Storage.Tests;

[MemoryPackable]
public sealed partial class AgentDocument
{
    public string Id { get; set; } = "";

    public List<string> Plugins { get; set; } = [];

    public long CreatedUnixMicros { get; set; }
}
