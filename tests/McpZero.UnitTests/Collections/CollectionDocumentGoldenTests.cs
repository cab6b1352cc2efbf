using McpZero.Agents.Collections;
using MemoryPack;

namespace McpZero.UnitTests.Collections;

/// <summary>
/// Byte-exact checks of the collection documents in the state store, written with MemoryPack 1.22.0
/// and default options, as the store does.
/// </summary>
public sealed class CollectionDocumentGoldenTests
{
    // A change to these bytes breaks data written by earlier releases, so add members at new orders and never edit these strings.
    private const string ResourceGolden =
        "070D0E0B290F1B08FAFFFFFF0500000063616D2D31F9FFFFFF0600000063616D657261FCFFFFFF030000006164610200" +
        "0000EFFFFFFF10000000696D6167655F70726F63657373696E67FAFFFFFF05000000766964656FF8FFFFFF0700000073" +
        "68656C662D3201000000FAFFFFFF050000006D6F64656CFDFFFFFF020000007831004004D673610600";

    private const string AgentMetadataGolden =
        "011B01000000FBFFFFFF04000000726F6F6DFCFFFFFF030000006C6162";

    [Fact]
    public void ResourceRecordSerializesToGolden()
    {
        var record = new ResourceRecord
        {
            ResourceId = "cam-1",
            ResourceType = "camera",
            Owner = "ada",
            Capabilities = ["image_processing", "video"],
            Location = "shelf-2",
            Metadata = new Dictionary<string, string> { ["model"] = "x1" },
            CreatedUnixMicros = 1_796_000_000_000_000,
        };

        Assert.Equal(ResourceGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(record)));
    }

    [Fact]
    public void AgentMetadataSerializesToGolden()
    {
        var metadata = new AgentMetadata { Values = new Dictionary<string, string> { ["room"] = "lab" } };

        Assert.Equal(AgentMetadataGolden, Convert.ToHexString(MemoryPackSerializer.Serialize(metadata)));
    }
}
