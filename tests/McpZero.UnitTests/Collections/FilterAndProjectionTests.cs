using System.Text.Json;
using McpZero.Agents;
using McpZero.Agents.Collections;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.UnitTests.Collections;

public sealed class FilterAndProjectionTests
{
    private static readonly ResourceRecord Camera = new()
    {
        ResourceId = "cam-1",
        ResourceType = "camera",
        Owner = "ada",
        Capabilities = ["image_processing", "video"],
        Location = "shelf-2",
        Metadata = new Dictionary<string, string> { ["model"] = "x1" },
        CreatedUnixMicros = 1_000,
    };

    [Theory]
    [InlineData("owner", DbOperator.Equal, new[] { "ada" }, true)]
    [InlineData("owner", DbOperator.Equal, new[] { "grace" }, false)]
    [InlineData("owner", DbOperator.In, new[] { "grace", "ada" }, true)]
    [InlineData("capabilities", DbOperator.Equal, new[] { "video" }, true)]
    [InlineData("capabilities", DbOperator.In, new[] { "audio", "image_processing" }, true)]
    [InlineData("capabilities", DbOperator.Equal, new[] { "audio" }, false)]
    [InlineData("created_unix_micros", DbOperator.Equal, new[] { "1000" }, true)]
    [InlineData("created_unix_micros", DbOperator.GreaterOrEqual, new[] { "1000" }, true)]
    [InlineData("created_unix_micros", DbOperator.GreaterOrEqual, new[] { "1001" }, false)]
    [InlineData("created_unix_micros", DbOperator.Less, new[] { "1001" }, true)]
    [InlineData("created_unix_micros", DbOperator.Less, new[] { "1000" }, false)]
    public void ConditionMatchesDocument(string field, DbOperator op, string[] values, bool expected)
    {
        List<FieldCondition<ResourceRecord>> filter = Schemas.Resources.CompileFilter([new DbCondition { Field = field, Operator = op, Values = values }]);

        Assert.Equal(expected, CollectionSchema<ResourceRecord>.Matches(Camera, filter));
    }

    [Fact]
    public void EveryConditionMustMatch()
    {
        List<FieldCondition<ResourceRecord>> filter = Schemas.Resources.CompileFilter(
        [
            new DbCondition { Field = "owner", Values = ["ada"] },
            new DbCondition { Field = "resource_type", Values = ["sensor"] },
        ]);

        Assert.False(CollectionSchema<ResourceRecord>.Matches(Camera, filter));
    }

    [Fact]
    public void UnknownFieldIsInvalidArgument()
    {
        var error = Assert.Throws<AgentException>(() => Schemas.Resources.CompileFilter([new DbCondition { Field = "colour", Values = ["red"] }]));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'colour'", error.Message);
        Assert.Contains("capabilities", error.Message);
    }

    [Theory]
    [InlineData("created_unix_micros", DbOperator.Equal, new[] { "soon" }, "not an integer")]
    [InlineData("owner", DbOperator.GreaterOrEqual, new[] { "a" }, "not an integer")]
    [InlineData("owner", DbOperator.Equal, new[] { "a", "b" }, "use 'in'")]
    [InlineData("owner", DbOperator.In, new string[0], "no value")]
    [InlineData("metadata", DbOperator.Equal, new[] { "x" }, "is a map")]
    [InlineData("owner", (DbOperator)9, new[] { "a" }, "unknown operator")]
    public void BadConditionIsInvalidArgument(string field, DbOperator op, string[] values, string expected)
    {
        var error = Assert.Throws<AgentException>(() => Schemas.Resources.CompileFilter([new DbCondition { Field = field, Operator = op, Values = values }]));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ProjectionWritesOnlyRequestedFields()
    {
        IReadOnlyList<FieldDefinition<ResourceRecord>> projection = Schemas.Resources.CompileProjection(["owner", "capabilities"]);

        string json = CollectionSchema<ResourceRecord>.ToJson(Camera, projection);

        using JsonDocument document = JsonDocument.Parse(json);
        string[] names = [.. document.RootElement.EnumerateObject().Select(property => property.Name)];
        Assert.Equal(["owner", "capabilities"], names);
        Assert.Equal("ada", document.RootElement.GetProperty("owner").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("capabilities").GetArrayLength());
    }

    [Fact]
    public void EmptyProjectionWritesEveryField()
    {
        string json = CollectionSchema<ResourceRecord>.ToJson(Camera, Schemas.Resources.CompileProjection([]));

        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(Schemas.Resources.Fields.Count, document.RootElement.EnumerateObject().Count());
        Assert.Equal("x1", document.RootElement.GetProperty("metadata").GetProperty("model").GetString());
        Assert.Equal(1000, document.RootElement.GetProperty("created_unix_micros").GetInt64());
    }

    [Fact]
    public void ProjectionOfUnknownFieldIsInvalidArgument()
    {
        var error = Assert.Throws<AgentException>(() => Schemas.Agents.CompileProjection(["agent_id", "nickname"]));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'nickname'", error.Message);
    }
}
