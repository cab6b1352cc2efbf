using System.Text.Json;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Collections, find, indexes and the resources registry through the CLI and the client library.</summary>
public sealed class CollectionTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task InstallAndSpawnRegisterResources()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string manifest = Path.Combine(daemon.Directory, "hello.json");
        await File.WriteAllTextAsync(
            manifest,
            $$"""{"name":"hello","wasm":[{"path":"{{TestPaths.Plugin("hello")}}"}],"capabilities":["image_processing"]}""");

        await daemon.OkAsync("plugin", "install", manifest);
        JsonElement afterInstall = await FindJsonAsync(daemon, "resource", "find", "--capability", "image_processing");
        Assert.Equal(["plugin:hello"], Ids(afterInstall, "resource_id"));
        Assert.Equal("capabilities", afterInstall.GetProperty("used_index").GetString());

        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "ada", "--plugin", "hello");
        JsonElement afterSpawn = await FindJsonAsync(daemon, "resource", "find", "--capability", "image_processing");
        Assert.Equal(["agent:" + agentId, "plugin:hello"], Ids(afterSpawn, "resource_id").Order());

        JsonElement byExport = await FindJsonAsync(daemon, "resource", "find", "--capability", "greet", "--type", "agent");
        JsonElement agentResource = Assert.Single(byExport.GetProperty("documents").EnumerateArray());
        Assert.Equal("ada", agentResource.GetProperty("owner").GetString());

        await daemon.OkAsync("agent", "terminate", agentId);
        JsonElement afterTerminate = await FindJsonAsync(daemon, "resource", "find", "--capability", "image_processing");
        Assert.Equal(["plugin:hello"], Ids(afterTerminate, "resource_id"));

        await daemon.OkAsync("plugin", "remove", "hello");
        JsonElement afterRemove = await FindJsonAsync(daemon, "resource", "find", "--capability", "image_processing");
        Assert.Empty(afterRemove.GetProperty("documents").EnumerateArray());
    }

    [Fact]
    public async Task AgentFindUsesIndexAndProjection()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string ada1 = await daemon.OkAsync("agent", "spawn", "--owner", "ada");
        string ada2 = await daemon.OkAsync("agent", "spawn", "--owner", "ada");
        string bob = await daemon.OkAsync("agent", "spawn", "--owner", "bob");
        await daemon.OkAsync("agent", "terminate", ada2);

        JsonElement byOwner = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "owner=ada", "--fields", "agent_id,owner");
        Assert.Equal("owner", byOwner.GetProperty("used_index").GetString());
        Assert.Equal(new[] { ada1, ada2 }.Order(StringComparer.Ordinal), Ids(byOwner, "agent_id").Order(StringComparer.Ordinal));
        foreach (JsonElement document in byOwner.GetProperty("documents").EnumerateArray())
        {
            Assert.Equal(["agent_id", "owner"], document.EnumerateObject().Select(property => property.Name));
        }

        JsonElement active = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "status=active", "--where", "owner=ada");
        Assert.Equal([ada1], Ids(active, "agent_id"));

        JsonElement inList = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "owner in ada,bob", "--fields", "agent_id");
        Assert.Equal(3, inList.GetProperty("documents").GetArrayLength());

        JsonElement commaList = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "owner=bob,carol");
        Assert.Equal([bob], Ids(commaList, "agent_id"));

        JsonElement scan = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "executions=0");
        Assert.Equal(JsonValueKind.Null, scan.GetProperty("used_index").ValueKind);
        Assert.Equal(3, scan.GetProperty("documents").GetArrayLength());

        JsonElement limited = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "owner=ada", "--limit", "1");
        Assert.Equal(1, limited.GetProperty("documents").GetArrayLength());

        string table = await daemon.OkAsync("db", "find", "agents", "--where", "owner=bob", "--fields", "agent_id,status");
        Assert.Contains(bob, table);
        Assert.Contains("1 documents (index on owner, 1 examined)", table);
    }

    [Fact]
    public async Task CreatedIndexSurvivesRestart()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync(
            "db", "insert-many", "resources",
            """[{"resource_id":"cam-1","resource_type":"camera","owner":"ada"},{"resource_id":"cam-2","resource_type":"camera","owner":"bob"},{"resource_id":"mic-1","resource_type":"microphone","owner":"ada"}]""");
        await daemon.OkAsync("db", "create-index", "resources", "resource_type");

        JsonElement before = await FindJsonAsync(daemon, "db", "find", "resources", "--where", "resource_type=camera");
        Assert.Equal("resource_type", before.GetProperty("used_index").GetString());
        Assert.Equal(["cam-1", "cam-2"], Ids(before, "resource_id").Order());

        Assert.Equal(0, await daemon.StopAsync());
        await daemon.RestartAsync();

        string indexes = await daemon.OkAsync("db", "indexes");
        Assert.Contains("resource_type", indexes);
        JsonElement after = await FindJsonAsync(daemon, "db", "find", "resources", "--where", "resource_type=camera");
        Assert.Equal("resource_type", after.GetProperty("used_index").GetString());
        Assert.Equal(["cam-1", "cam-2"], Ids(after, "resource_id").Order());

        await daemon.OkAsync("db", "update", "resources", "cam-2", """{"resource_type":"microphone"}""");
        JsonElement updated = await FindJsonAsync(daemon, "db", "find", "resources", "--where", "resource_type=microphone");
        Assert.Equal(["cam-2", "mic-1"], Ids(updated, "resource_id").Order());
        Assert.DoesNotContain("rebuilt", daemon.Log);
    }

    [Fact]
    public async Task AgentIndexFollowsRuntimeAcrossRestart()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string first = await daemon.OkAsync("agent", "spawn", "--owner", "ada");
        string second = await daemon.OkAsync("agent", "spawn", "--owner", "ada");
        await daemon.OkAsync("agent", "terminate", first);

        await daemon.CrashAsync();
        await daemon.RestartAsync();

        JsonElement terminated = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "status=terminated");
        Assert.Equal("status", terminated.GetProperty("used_index").GetString());
        Assert.Equal([first], Ids(terminated, "agent_id"));
        JsonElement active = await FindJsonAsync(daemon, "db", "find", "agents", "--where", "status=active");
        Assert.Equal([second], Ids(active, "agent_id"));
    }

    [Fact]
    public async Task ResourceDocumentRoundTrip()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        string id = await daemon.OkAsync(
            "db", "insert", "resources", """{"resource_id":"gpu-1","resource_type":"gpu","owner":"ada","capabilities":["inference"],"location":"rack-1","metadata":{"vram":"8G"}}""");
        Assert.Equal("gpu-1", id);

        using (JsonDocument got = JsonDocument.Parse(await daemon.OkAsync("db", "get", "resources", "gpu-1")))
        {
            Assert.Equal("rack-1", got.RootElement.GetProperty("location").GetString());
            Assert.Equal("8G", got.RootElement.GetProperty("metadata").GetProperty("vram").GetString());
        }

        string changes = Path.Combine(daemon.Directory, "changes.json");
        await File.WriteAllTextAsync(changes, """{"owner":"grace","capabilities":["inference","training"]}""");
        await daemon.OkAsync("db", "update", "resources", "gpu-1", "--file", changes);
        using (JsonDocument projected = JsonDocument.Parse(await daemon.OkAsync("db", "get", "resources", "gpu-1", "--fields", "owner")))
        {
            Assert.Equal("""{"owner":"grace"}""", projected.RootElement.GetRawText());
        }

        JsonElement training = await FindJsonAsync(daemon, "resource", "find", "--capability", "training");
        Assert.Equal(["gpu-1"], Ids(training, "resource_id"));

        CliResult duplicate = await daemon.CliAsync("db", "insert", "resources", """{"resource_id":"gpu-1","resource_type":"gpu","owner":"ada"}""");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("(AlreadyExists)", duplicate.Stderr);

        await daemon.OkAsync("db", "delete", "resources", "gpu-1");
        CliResult gone = await daemon.CliAsync("db", "get", "resources", "gpu-1");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("(ResourceNotFound)", gone.Stderr);
        JsonElement afterDelete = await FindJsonAsync(daemon, "resource", "find", "--capability", "training");
        Assert.Empty(afterDelete.GetProperty("documents").EnumerateArray());
    }

    [Fact]
    public async Task TracesAreAppendOnly()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        string ids = await daemon.OkAsync(
            "db", "insert-many", "traces",
            """[{"agent_id":"a-1","plugin":"p","method":"scan","duration_micros":5},{"agent_id":"a-2","method":"scan","status":"failed","error":"PluginTrap"},{"agent_id":"a-1","method":"resize"}]""");
        Assert.Equal(["0", "1", "2"], ids.Split('\n'));

        JsonElement byAgent = await FindJsonAsync(daemon, "db", "find", "traces", "--where", "agent_id=a-1", "--fields", "sequence,method");
        Assert.Equal(["scan", "resize"], Ids(byAgent, "method"));

        JsonElement failed = await FindJsonAsync(daemon, "db", "find", "traces", "--where", "status=failed");
        JsonElement failure = Assert.Single(failed.GetProperty("documents").EnumerateArray());
        Assert.Equal("PluginTrap", failure.GetProperty("error").GetString());

        JsonElement inTime = await FindJsonAsync(daemon, "db", "find", "traces", "--where", "timestamp_unix_micros>=1", "--where", "method=resize");
        Assert.Single(inTime.GetProperty("documents").EnumerateArray());

        using (JsonDocument second = JsonDocument.Parse(await daemon.OkAsync("db", "get", "traces", "1")))
        {
            Assert.Equal("a-2", second.RootElement.GetProperty("agent_id").GetString());
        }

        CliResult update = await daemon.CliAsync("db", "update", "traces", "0", """{"method":"x"}""");
        Assert.Equal(1, update.ExitCode);
        Assert.Contains("append-only", update.Stderr);
        Assert.Contains("(InvalidArgument)", update.Stderr);

        CliResult delete = await daemon.CliAsync("db", "delete", "traces", "0");
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains("append-only", delete.Stderr);

        CliResult withHash = await daemon.CliAsync("db", "insert", "traces", """{"agent_id":"a-1","method":"m","hash":"00"}""");
        Assert.Equal(1, withHash.ExitCode);
        Assert.Contains("'hash'", withHash.Stderr);

        string verify = await daemon.OkAsync("trace", "verify");
        Assert.StartsWith("ok: 3 records verified", verify);
    }

    [Fact]
    public async Task BadBatchWritesNothing()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("db", "insert", "resources", """{"resource_id":"cam-1","resource_type":"camera","owner":"ada"}""");

        CliResult traces = await daemon.CliAsync("db", "insert-many", "traces", """[{"agent_id":"a-1","method":"m"},{"agent_id":"a-1"}]""");
        Assert.Equal(1, traces.ExitCode);
        Assert.Contains("document 1", traces.Stderr);
        Assert.Contains("'method'", traces.Stderr);
        JsonElement noTraces = await FindJsonAsync(daemon, "db", "find", "traces");
        Assert.Empty(noTraces.GetProperty("documents").EnumerateArray());

        CliResult resources = await daemon.CliAsync(
            "db", "insert-many", "resources",
            """[{"resource_id":"cam-2","resource_type":"camera","owner":"ada"},{"resource_id":"cam-1","resource_type":"camera","owner":"ada"}]""");
        Assert.Equal(1, resources.ExitCode);
        Assert.Contains("(AlreadyExists)", resources.Stderr);
        CliResult second = await daemon.CliAsync("db", "get", "resources", "cam-2");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("(ResourceNotFound)", second.Stderr);
    }

    [Fact]
    public async Task AgentUpdatesStayGoverned()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "ada");

        await daemon.OkAsync("db", "update", "agents", agentId, """{"metadata":{"room":"lab"}}""");
        using (JsonDocument got = JsonDocument.Parse(await daemon.OkAsync("db", "get", "agents", agentId, "--fields", "metadata")))
        {
            Assert.Equal("lab", got.RootElement.GetProperty("metadata").GetProperty("room").GetString());
        }

        CliResult owner = await daemon.CliAsync("db", "update", "agents", agentId, """{"owner":"mallory"}""");
        Assert.Equal(1, owner.ExitCode);
        Assert.Contains("'owner'", owner.Stderr);

        CliResult activate = await daemon.CliAsync("db", "update", "agents", agentId, """{"status":"paused"}""");
        Assert.Equal(1, activate.ExitCode);
        Assert.Contains("'paused'", activate.Stderr);

        await daemon.OkAsync("db", "update", "agents", agentId, """{"status":"terminated"}""");
        string shown = await daemon.OkAsync("agent", "show", agentId);
        Assert.Contains("terminated", shown);

        CliResult insert = await daemon.CliAsync("db", "insert", "agents", """{"owner":"ada"}""");
        Assert.Equal(1, insert.ExitCode);
        Assert.Contains("agent spawn", insert.Stderr);

        CliResult delete = await daemon.CliAsync("db", "delete", "agents", agentId);
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains("agent terminate", delete.Stderr);
    }

    [Fact]
    public async Task SnapshotsAreReadOnly()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "ada", "--plugin", "hello");
        await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");
        string snapshotId = await daemon.OkAsync("agent", "snapshot", agentId);

        JsonElement found = await FindJsonAsync(daemon, "db", "find", "snapshots", "--where", "agent_id=" + agentId);
        JsonElement snapshot = Assert.Single(found.GetProperty("documents").EnumerateArray());
        Assert.Equal(snapshotId, snapshot.GetProperty("snapshot_id").GetString());
        Assert.Equal("greetings", Assert.Single(snapshot.GetProperty("variables").EnumerateArray()).GetString());

        CliResult update = await daemon.CliAsync("db", "update", "snapshots", snapshotId, "{}");
        Assert.Equal(1, update.ExitCode);
        Assert.Contains("cannot be updated", update.Stderr);
    }

    [Theory]
    [InlineData("db find nope", "collection 'nope' does not exist")]
    [InlineData("db find agents --where colour=red", "no field 'colour'")]
    [InlineData("db find agents --fields agent_id,nickname", "no field 'nickname'")]
    [InlineData("db find agents --where memory_mb=lots", "'lots'")]
    [InlineData("db find agents --where owner>=3", "not an integer")]
    [InlineData("db find agents --where config=x", "is a map")]
    [InlineData("db create-index agents executions", "changes on every call")]
    [InlineData("db create-index traces agent_id", "no secondary indexes")]
    [InlineData("db create-index resources colour", "no field 'colour'")]
    [InlineData("db insert resources {\"owner\":\"ada\"}", "'resource_type'")]
    [InlineData("db insert resources {\"resource_id\":\"plugin:x\",\"resource_type\":\"t\",\"owner\":\"o\"}", "prefix the runtime keeps")]
    [InlineData("db insert resources [1]", "not an object")]
    [InlineData("db insert traces {\"agent_id\":\"a\",\"method\":\"m\",\"status\":\"maybe\"}", "'maybe'")]
    public async Task BadInputIsInvalidArgument(string commandLine, string expected)
    {
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult result = await daemon.CliAsync(commandLine.Split(' '));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Contains("(InvalidArgument)", result.Stderr);
    }

    [Theory]
    [InlineData("db --help", "db create-index COLLECTION FIELD")]
    [InlineData("resource find --help", "resource find --capability NAME")]
    [InlineData("help db", "FIELD=A,B")]
    public async Task DbHelpListsCommands(string commandLine, string expected)
    {
        CliResult result = await Daemon.RunBinaryAsync(commandLine.Split(' '));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout);
    }

    [Fact]
    public async Task WhereWithoutOperatorIsUsageError()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult result = await daemon.CliAsync("db", "find", "agents", "--where", "owner");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("FIELD=VALUE", result.Stderr);
    }

    [Fact]
    public async Task ClientLibraryShapesWork()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("agent", "spawn", "--owner", "ada");
        await using McpZeroClient client = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(RequestTimeout);

        string[] traceIds = await client.Db.Traces.InsertManyAsync(
            [.. Enumerable.Range(0, 50).Select(i => $$"""{"agent_id":"a-{{i % 5}}","method":"m{{i}}"}""")],
            timeout.Token);
        Assert.Equal(50, traceIds.Length);
        Assert.Equal("49", traceIds[^1]);

        DbDocumentsResponse agents = await client.Db.Agents.FindAsync(new DbFilter().Equal("status", "active"), ["agent_id", "owner"], cancellationToken: timeout.Token);
        Assert.Equal("status", agents.UsedIndex);
        Assert.Contains("\"owner\":\"ada\"", Assert.Single(agents.Documents));

        DbDocumentsResponse traces = await client.Db.Traces.FindAsync(new DbFilter().In("agent_id", "a-1", "a-2"), ["method"], limit: 5, timeout.Token);
        Assert.Equal(5, traces.Documents.Length);

        string resourceId = await client.Db.Resources.InsertAsync("""{"resource_type":"sensor","owner":"ada","capabilities":["temperature"]}""", timeout.Token);
        DbIndexInfo[] indexes = await client.Db.Resources.CreateIndexAsync("owner", timeout.Token);
        Assert.Contains(indexes, index => index.Collection == "resources" && index.Field == "owner" && !index.BuiltIn);

        // The spawned agent is a resource owned by ada too, so the type narrows the result.
        DbDocumentsResponse owned = await client.Db.Resources.FindAsync(
            new DbFilter().Equal("owner", "ada").Equal("resource_type", "sensor"), ["resource_id"], cancellationToken: timeout.Token);
        Assert.Equal("owner", owned.UsedIndex);
        Assert.Equal($$"""{"resource_id":"{{resourceId}}"}""", Assert.Single(owned.Documents));

        var error = await Assert.ThrowsAsync<McpZeroServerException>(async () => await client.Db.Collection("nope").FindAsync(cancellationToken: timeout.Token));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
    }

    private static async Task<JsonElement> FindJsonAsync(Daemon daemon, params string[] args)
    {
        string output = await daemon.OkAsync([.. args, "--json"]);
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    private static string[] Ids(JsonElement result, string field) =>
        [.. result.GetProperty("documents").EnumerateArray().Select(document => document.GetProperty(field).GetString()!)];
}
