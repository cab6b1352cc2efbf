using MemoryPack;

namespace McpZero.Agents.Collections;

/// <summary>One entry of the resources registry: something that can do something, and who owns it.</summary>
/// <remarks>
/// Stored under <c>resource/&lt;id&gt;</c>. The runtime registers <c>plugin:&lt;name&gt;</c> and
/// <c>agent:&lt;id&gt;</c> entries itself; clients insert any other id.
/// </remarks>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class ResourceRecord
{
    [MemoryPackOrder(0)] public string ResourceId { get; set; } = "";
    [MemoryPackOrder(1)] public string ResourceType { get; set; } = "";
    [MemoryPackOrder(2)] public string Owner { get; set; } = "";
    [MemoryPackOrder(3)] public List<string> Capabilities { get; set; } = [];
    [MemoryPackOrder(4)] public string Location { get; set; } = "";
    [MemoryPackOrder(5)] public Dictionary<string, string> Metadata { get; set; } = [];
    [MemoryPackOrder(6)] public long CreatedUnixMicros { get; set; }
}

/// <summary>Free-form string metadata of one agent, stored under <c>agent-metadata/&lt;id&gt;</c>.</summary>
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class AgentMetadata
{
    [MemoryPackOrder(0)] public Dictionary<string, string> Values { get; set; } = [];
}

/// <summary>An agent as the <c>agents</c> collection shows it: the runtime's record plus its metadata.</summary>
internal sealed record AgentDocument(AgentRecord Record, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Key layout of the collection documents in the state store.</summary>
internal static class CollectionKeys
{
    /// <summary>The persisted list of secondary indexes, as <c>collection/field</c> strings.</summary>
    public const string IndexCatalog = "idx/catalog";

    /// <summary>Prefix of the sharded id list of every resource; see <see cref="PostingIndex"/>.</summary>
    public const string ResourceIdsCollection = "resource-ids";

    public static string Resource(string resourceId) => "resource/" + resourceId;

    public static string AgentMetadata(string agentId) => "agent-metadata/" + agentId;
}

/// <summary>Names of the collections.</summary>
internal static class CollectionNames
{
    public const string Agents = "agents";
    public const string Resources = "resources";
    public const string Traces = "traces";
    public const string Snapshots = "snapshots";

    public static readonly string[] All = [Agents, Resources, Traces, Snapshots];
}
