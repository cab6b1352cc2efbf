using System.Diagnostics;
using System.Globalization;
using McpZero.Agents;
using McpZero.Agents.Collections;
using McpZero.Client;
using McpZero.Protocol.Messages;
using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

// Measures the collections in process, without the socket: insert_many of traces through the
// runtime, and a find through the owner index that returns 100 of N agents or resources. With
// --socket, it first runs the trace insert and an agents find against that daemon.
// Usage: collbench [--documents N] [--batch N] [--finds N] [--owners N] [--socket PATH]

int documents = Option("documents", 100_000);
int batch = Option("batch", 10_000);
int finds = Option("finds", 2_000);
int owners = Option("owners", documents / 100);
string directory = Path.Combine(Path.GetTempPath(), "collbench-" + Environment.ProcessId);
Console.WriteLine($"collbench: {documents} documents, batches of {batch}, {finds} finds, {owners} owners, data in {directory}");

if (OptionText("socket") is { } socketPath)
{
    await MeasureDaemonAsync(socketPath);
}

try
{
    await using (AgentRuntime runtime = AgentRuntime.Open(new AgentRuntimeOptions { DataDirectory = Path.Combine(directory, "runtime") }, NullLoggerFactory.Instance))
    {
        await InsertTracesAsync(runtime);
        await FindResourcesAsync(runtime);
    }

    FindAgents(Path.Combine(directory, "agents"));
    await AppendRawAsync(Path.Combine(directory, "raw-default"), new TraceLogOptions());
    await AppendRawAsync(Path.Combine(directory, "raw-16mib"), new TraceLogOptions { MemoryBytes = 16 << 20, PageBytes = 1 << 20 });
}
finally
{
    Directory.Delete(directory, recursive: true);
}

// insert_many of traces: JSON parsing, the hash chain, the log append and one durable commit per batch.
async Task InsertTracesAsync(AgentRuntime runtime)
{
    List<string[]> batches = [];
    for (int start = 0; start < documents; start += batch)
    {
        batches.Add([.. Enumerable.Range(start, Math.Min(batch, documents - start)).Select(i =>
            $$"""{"agent_id":"a-{{i % 1000:x10}}","plugin":"data_processing","method":"process","duration_micros":{{i % 500}}}""")]);
    }

    long parseStarted = Stopwatch.GetTimestamp();
    foreach (string[] documentsInBatch in batches)
    {
        foreach (string json in documentsInBatch)
        {
            using DocumentInput input = DocumentInput.Parse(json, "traces", 0);
            _ = input.RequiredString("agent_id");
            _ = input.RequiredString("method");
            _ = input.Integer("duration_micros");
        }
    }

    Console.WriteLine($"traces JSON parse only: {documents / Stopwatch.GetElapsedTime(parseStarted).TotalSeconds:F0} documents/s");

    long started = Stopwatch.GetTimestamp();
    foreach (string[] documentsInBatch in batches)
    {
        await runtime.InsertDocumentsAsync("traces", documentsInBatch, CancellationToken.None);
    }

    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    Console.WriteLine($"traces insert_many: {documents} records in {seconds:F3} s = {documents / seconds:F0} records/s ({batches.Count} batches, one commit each)");
}

// Resources through the runtime: insert_many with the built-in capability index maintained, then
// finds through an owner index created afterwards.
async Task FindResourcesAsync(AgentRuntime runtime)
{
    long started = Stopwatch.GetTimestamp();
    for (int start = 0; start < documents; start += batch)
    {
        string[] documentsInBatch = [.. Enumerable.Range(start, Math.Min(batch, documents - start)).Select(i =>
            $$"""{"resource_id":"r-{{i}}","resource_type":"sensor","owner":"owner-{{i % owners}}","capabilities":["cap-{{i % 10}}"]}""")];
        await runtime.InsertDocumentsAsync("resources", documentsInBatch, CancellationToken.None);
    }

    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    Console.WriteLine($"resources insert_many: {documents} documents in {seconds:F3} s = {documents / seconds:F0} documents/s");

    runtime.CreateIndex("resources", "owner");
    Measure("resources indexed find", finds, i =>
    {
        var condition = new DbCondition { Field = "owner", Values = [$"owner-{i % owners}"] };
        return runtime.FindDocuments("resources", [condition], ["resource_id", "owner", "capabilities"], 100);
    });
}

// Agents: the same find code over agent documents with the owner index, without the runtime,
// because agents are created only by spawn.
void FindAgents(string storeDirectory)
{
    using StateStore store = StateStore.Open(new StateStoreOptions { Directory = storeDirectory, CheckpointInterval = TimeSpan.Zero }, NullLogger.Instance);
    var agents = new Dictionary<string, AgentDocument>(StringComparer.Ordinal);
    var metadata = new Dictionary<string, string>();
    for (int i = 0; i < documents; i++)
    {
        var record = new AgentRecord
        {
            AgentId = $"a-{i:x10}",
            Owner = $"owner-{i % owners}",
            Status = i % 10 == 0 ? "terminated" : "active",
            Plugins = ["data_processing"],
            CreatedUnixMicros = 1_796_000_000_000_000 + i,
        };
        agents[record.AgentId] = new AgentDocument(record, metadata);
    }

    var indexes = new CollectionIndexes<AgentDocument>(store, Schemas.Agents, agent => agent.Record.AgentId);
    long started = Stopwatch.GetTimestamp();
    indexes.Create("owner", agents.Values);
    Console.WriteLine($"agents owner index: built over {documents} agents in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");

    Measure("agents indexed find", finds, i =>
    {
        var condition = new DbCondition { Field = "owner", Values = [$"owner-{i % owners}"] };
        return DocumentFinder.Find(indexes, [condition], ["agent_id", "owner", "status"], 100, agents.GetValueOrDefault, () => agents.Values).ToResponse();
    });

    Measure("agents scan find (no index)", Math.Max(1, finds / 100), i =>
    {
        var condition = new DbCondition { Field = "created_unix_micros", Operator = DbOperator.GreaterOrEqual, Values = [$"{1_796_000_000_000_000 + documents - 100}"] };
        return DocumentFinder.Find(indexes, [condition], ["agent_id", "owner", "status"], 100, agents.GetValueOrDefault, () => agents.Values).ToResponse();
    });
}

// The same trace insert and a find over the daemon's socket, so the figures include the protocol.
async Task MeasureDaemonAsync(string socketPath)
{
    await using McpZeroClient client = await McpZeroClient.ConnectAsync(socketPath, "collbench");
    List<string[]> batches = [];
    for (int start = 0; start < documents; start += batch)
    {
        batches.Add([.. Enumerable.Range(start, Math.Min(batch, documents - start)).Select(i =>
            $$"""{"agent_id":"a-{{i % 1000:x10}}","plugin":"data_processing","method":"process","duration_micros":{{i % 500}}}""")]);
    }

    long started = Stopwatch.GetTimestamp();
    foreach (string[] documentsInBatch in batches)
    {
        await client.Db.Traces.InsertManyAsync(documentsInBatch);
    }

    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    Console.WriteLine($"daemon traces insert_many: {documents} records in {seconds:F3} s = {documents / seconds:F0} records/s ({batches.Count} requests)");

    // Each spawn makes the catalog durable before it replies, so 200 agents keep the set-up short.
    string runId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    for (int i = 0; i < 200; i++)
    {
        await client.RequestAsync<AgentInfo>(new AgentSpawnRequest { Owner = $"bench-{runId}-{i % 2}" });
    }

    Measure("daemon agents find, 100 of 200 by owner (round trip)", finds, i =>
        client.Db.Agents.FindAsync(new DbFilter().Equal("owner", $"bench-{runId}-{i % 2}"), ["agent_id", "owner", "status"], 100).GetAwaiter().GetResult());
}

// TraceLog.Append alone, without JSON, to split the insert_many cost between parsing and the log.
async Task AppendRawAsync(string logDirectory, TraceLogOptions options)
{
    await using TraceLog log = TraceLog.Open(logDirectory, NullLogger.Instance, options);
    long started = Stopwatch.GetTimestamp();
    for (int i = 0; i < documents; i++)
    {
        log.Append(new TraceRecordDraft { AgentId = $"a-{i % 1000:x10}", Plugin = "data_processing", Method = "process", DurationMicros = i % 500 });
    }

    await log.CommitAsync();
    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    Console.WriteLine($"TraceLog.Append only (log memory {options.MemoryBytes >> 10} KiB, page {options.PageBytes >> 10} KiB): {documents / seconds:F0} records/s");
}

static void Measure(string name, int iterations, Func<int, DbDocumentsResponse> find)
{
    for (int i = 0; i < Math.Min(iterations, 100); i++)
    {
        find(i);
    }

    var micros = new double[iterations];
    int returned = 0;
    string? usedIndex = null;
    for (int i = 0; i < iterations; i++)
    {
        long started = Stopwatch.GetTimestamp();
        DbDocumentsResponse response = find(i);
        micros[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        returned = response.Documents.Length;
        usedIndex = response.UsedIndex;
    }

    Array.Sort(micros);
    Console.WriteLine(
        $"{name}: {returned} documents per find, index {usedIndex ?? "none"}; mean {micros.Average():F1} us, p50 {micros[iterations / 2]:F1} us, " +
        $"p99 {micros[Math.Min(iterations - 1, iterations * 99 / 100)]:F1} us, max {micros[^1]:F1} us over {iterations} finds");
}

int Option(string name, int fallback) =>
    OptionText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    int at = Array.IndexOf(args, "--" + name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
