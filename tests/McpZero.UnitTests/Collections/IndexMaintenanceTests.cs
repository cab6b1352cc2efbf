using McpZero.Agents;
using McpZero.Agents.Collections;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpZero.UnitTests.Collections;

public sealed class IndexMaintenanceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mcpzero-index-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void UpdateMovesIdBetweenValues()
    {
        using StateStore store = OpenStore();
        var index = new PostingIndex(store, "resources", "owner");

        index.Update("r1", Keys(), Keys("ada"));
        index.Update("r2", Keys(), Keys("ada"));
        index.Update("r1", Keys("ada"), Keys("grace"));

        Assert.Equal(["r2"], index.Lookup(["ada"]));
        Assert.Equal(["r1"], index.Lookup(["grace"]));
        Assert.Equal(2, index.Entries);
        Assert.Equal(2, index.Values);
    }

    [Fact]
    public void RemovingLastIdDropsValue()
    {
        using StateStore store = OpenStore();
        var index = new PostingIndex(store, "resources", "owner");

        index.Update("r1", Keys(), Keys("ada"));
        index.Update("r1", Keys("ada"), Keys());

        Assert.Empty(index.Lookup(["ada"]));
        Assert.Equal(0, index.Values);
        Assert.Equal(0, index.Entries);
    }

    [Fact]
    public void PostingsSurviveReopen()
    {
        using (StateStore store = OpenStore())
        {
            var index = new PostingIndex(store, "resources", "capabilities");
            index.AddMany(Enumerable.Range(0, 100).Select(i => ($"r{i}", (IReadOnlySet<string>)Keys(i % 2 == 0 ? "even" : "odd", "all"))));
            index.Update("r0", Keys("even", "all"), Keys("all"));
        }

        using StateStore reopened = OpenStore();
        var loaded = new PostingIndex(reopened, "resources", "capabilities");

        Assert.True(loaded.Load());
        Assert.Equal(49, loaded.Lookup(["even"]).Count);
        Assert.Equal(50, loaded.Lookup(["odd"]).Count);
        Assert.Equal(100, loaded.Lookup(["all"]).Count);
        Assert.DoesNotContain("r0", loaded.Lookup(["even"]));
    }

    [Fact]
    public void OpenRebuildsStaleIndex()
    {
        using StateStore store = OpenStore();
        ResourceRecord[] documents = [Resource("r1", "ada"), Resource("r2", "grace")];
        var indexes = new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId);
        Assert.True(indexes.Create("owner", documents));

        // The documents change while the index does not, as after a crash between the two writes.
        documents[1].Owner = "ada";
        var reopened = new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId);
        bool rebuilt = reopened.Open("owner", documents);

        Assert.True(rebuilt);
        PostingIndex index = Assert.Single(reopened.Indexes);
        Assert.Equal(2, index.Lookup(["ada"]).Count);
        Assert.Empty(index.Lookup(["grace"]));
    }

    [Fact]
    public void OpenKeepsCurrentIndex()
    {
        using StateStore store = OpenStore();
        ResourceRecord[] documents = [Resource("r1", "ada"), Resource("r2", "grace")];
        new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId).Create("owner", documents);

        var reopened = new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId);

        Assert.False(reopened.Open("owner", documents));
    }

    [Fact]
    public void OpenBuildsIndexNeverStored()
    {
        using StateStore store = OpenStore();
        var indexes = new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId);

        bool stale = indexes.Open("owner", [Resource("r1", "ada")]);

        Assert.False(stale);
        Assert.Equal(["r1"], Assert.Single(indexes.Indexes).Lookup(["ada"]));
    }

    [Fact]
    public void ApplyKeepsEveryIndexCurrent()
    {
        using StateStore store = OpenStore();
        var indexes = new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId);
        indexes.Create("owner", []);
        indexes.Create("capabilities", []);
        ResourceRecord before = Resource("r1", "ada", "video");
        ResourceRecord after = Resource("r1", "grace", "audio");

        indexes.Apply(null, before);
        indexes.Apply(before, after);

        PostingIndex owner = indexes.Indexes.Single(index => index.Field == "owner");
        PostingIndex capabilities = indexes.Indexes.Single(index => index.Field == "capabilities");
        Assert.Empty(owner.Lookup(["ada"]));
        Assert.Equal(["r1"], owner.Lookup(["grace"]));
        Assert.Empty(capabilities.Lookup(["video"]));
        Assert.Equal(["r1"], capabilities.Lookup(["audio"]));

        indexes.Apply(after, null);
        Assert.Equal(0, owner.Entries);
        Assert.Equal(0, capabilities.Entries);
    }

    [Fact]
    public void PlanPicksIndexedEqualityOnly()
    {
        using StateStore store = OpenStore();
        var indexes = new CollectionIndexes<ResourceRecord>(store, Schemas.Resources, resource => resource.ResourceId);
        indexes.Create("created_unix_micros", []);

        List<FieldCondition<ResourceRecord>> range = Schemas.Resources.CompileFilter(
            [new DbCondition { Field = "created_unix_micros", Operator = DbOperator.GreaterOrEqual, Values = ["5"] }]);
        List<FieldCondition<ResourceRecord>> equality = Schemas.Resources.CompileFilter(
        [
            new DbCondition { Field = "owner", Values = ["ada"] },
            new DbCondition { Field = "created_unix_micros", Operator = DbOperator.In, Values = ["5", "6"] },
        ]);

        Assert.Null(indexes.Plan(range));
        Assert.Equal("created_unix_micros", indexes.Plan(equality)?.Index.Field);
    }

    [Fact]
    public void ChangingFieldCannotBeIndexed()
    {
        using StateStore store = OpenStore();
        var indexes = new CollectionIndexes<AgentDocument>(store, Schemas.Agents, agent => agent.Record.AgentId);

        var error = Assert.Throws<AgentException>(() => indexes.Create("executions", []));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("changes on every call", error.Message);
    }

    [Fact]
    public void BucketOfIsStable()
    {
        // Stored bucket keys depend on these values, so a change to the hash breaks existing data.
        Assert.Equal(PostingIndex.BucketOf("a-0123456789"), PostingIndex.BucketOf("a-0123456789"));
        Assert.Equal(12, PostingIndex.BucketOf("a"));
        Assert.Equal(5, PostingIndex.BucketOf("resource"));
    }

    private StateStore OpenStore() =>
        StateStore.Open(new StateStoreOptions { Directory = _directory, CheckpointInterval = TimeSpan.Zero }, NullLogger.Instance);

    private static HashSet<string> Keys(params string[] keys) => new(keys, StringComparer.Ordinal);

    private static ResourceRecord Resource(string id, string owner, params string[] capabilities) => new()
    {
        ResourceId = id,
        ResourceType = "sensor",
        Owner = owner,
        Capabilities = [.. capabilities],
    };
}
