using MemoryPack;

namespace McpZero.StateBench;

/// <summary>
/// An agent's variables as one MemoryPack document, with the same layout as the document that
/// McpZero.Agents stores under "vars/AGENT" (an internal type there, so it is repeated here).
/// </summary>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class VariableSet
{
    [MemoryPackOrder(0)] public Dictionary<string, byte[]> Values { get; set; } = [];
}
