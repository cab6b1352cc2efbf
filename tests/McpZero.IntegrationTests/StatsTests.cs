using System.Diagnostics;
using System.Text;
using System.Text.Json;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Tests.Shared;

namespace McpZero.IntegrationTests;

/// <summary><c>mcpzero stats</c> and the metrics textfile, against the AOT binary.</summary>
public sealed partial class StatsTests
{
    private const int Executions = 25;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StatsJsonCountsRequestsPluginsAndErrors()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await RunWorkloadAsync(daemon);

        string json = await daemon.OkAsync("stats", "--json");
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;

        JsonElement exec = root.GetProperty("requests").EnumerateArray().Single(request => request.GetProperty("name").GetString() == "AgentExec");
        Assert.Equal(MessageTypes.AgentExec, exec.GetProperty("message_type").GetInt32());
        Assert.Equal(Executions + 4, exec.GetProperty("latency").GetProperty("count").GetInt64());
        Assert.True(exec.GetProperty("latency").GetProperty("p50_micros").GetInt64() > 0, json);

        JsonElement greet = PluginMethod(root, "hello", "greet");
        Assert.Equal(Executions, greet.GetProperty("duration").GetProperty("count").GetInt64());
        Assert.Equal(0, greet.GetProperty("failures").GetInt64());
        JsonElement trap = PluginMethod(root, "misbehave", "trap");
        Assert.Equal(1, trap.GetProperty("duration").GetProperty("count").GetInt64());
        Assert.Equal(1, trap.GetProperty("failures").GetInt64());

        Assert.Equal(2, ErrorCount(root, "MethodNotFound"));
        Assert.Equal(1, ErrorCount(root, "PluginTrap"));
        Assert.Equal(1, ErrorCount(root, "AgentNotFound"));

        Assert.Equal(Executions + 1, root.GetProperty("trace_appends").GetInt64());
        Assert.True(root.GetProperty("resident_bytes").GetInt64() > 0, json);
        Assert.True(root.GetProperty("wasm_linear_memory_bytes").GetInt64() > 0, json);
        Assert.True(root.GetProperty("wasm_instances").GetInt32() >= 1, json);
        Assert.Equal(2, root.GetProperty("module_cache_misses").GetInt64());
        Assert.True(root.GetProperty("instance_pool_hits").GetInt64() >= Executions - 1, json);
        Assert.True(root.GetProperty("store_writes").GetInt64() > 0, json);
        Assert.True(root.GetProperty("cpu_time_micros").GetInt64() > 0, json);
        Assert.Equal(0, root.GetProperty("executions_running").GetInt32());
        Assert.StartsWith("a-", agentId);
    }

    [Fact]
    public async Task StatsTableShowsEverySection()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await RunWorkloadAsync(daemon);

        string table = await daemon.OkAsync("stats");

        Assert.Contains("cpu ", table);
        Assert.Contains("wasm memory", table);
        Assert.Matches(@"AgentExec\s+29\s", table);
        Assert.Matches(@"hello\s+greet\s+25\s+0\s", table);
        Assert.Matches(@"PluginTrap\s+30\s+1", table);
    }

    [Fact]
    public async Task StatsPrometheusParsesUnderFormatRules()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await RunWorkloadAsync(daemon);

        CliResult result = await daemon.CliAsync("stats", "--prometheus");
        Assert.True(result.ExitCode == 0, result.ToString());
        (List<PrometheusSample> samples, Dictionary<string, string> types) = PrometheusTextParser.Parse(result.Stdout);

        Assert.Equal("summary", types["mcpzero_request_duration_seconds"]);
        PrometheusSample execCount = samples.Single(sample => sample.Name == "mcpzero_request_duration_seconds_count" && sample.Label("type") == "AgentExec");
        Assert.Equal(Executions + 4, execCount.Value);
        PrometheusSample greetCount = samples.Single(sample =>
            sample.Name == "mcpzero_plugin_execution_duration_seconds_count" && sample.Label("plugin") == "hello" && sample.Label("method") == "greet");
        Assert.Equal(Executions, greetCount.Value);
        PrometheusSample notFound = samples.Single(sample => sample.Name == "mcpzero_error_responses_total" && sample.Label("reason") == "MethodNotFound");
        Assert.Equal(2, notFound.Value);
        Assert.True(samples.Single(sample => sample.Name == "mcpzero_process_resident_memory_bytes").Value > 1_000_000);
    }

    [Fact]
    public async Task TextfileIsWrittenForCollector()
    {
        string directory = TestPaths.NewTestDirectory();
        string textfile = Path.Combine(directory, "mcpzero.prom");
        await using Daemon daemon = await Daemon.StartAsync(directory, new Dictionary<string, string>
        {
            ["MCPZERO__METRICSTEXTFILEPATH"] = textfile,
            ["MCPZERO__METRICSTEXTFILEINTERVALSECONDS"] = "1",
        });
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
        await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");

        // The file is rewritten every second; wait for a version that includes the exec.
        string text = await WaitForTextfileAsync(textfile, content => content.Contains("plugin=\"hello\"", StringComparison.Ordinal), daemon);
        (List<PrometheusSample> samples, _) = PrometheusTextParser.Parse(text);

        Assert.Equal(1, samples.Single(sample => sample.Name == "mcpzero_plugin_execution_duration_seconds_count" && sample.Label("method") == "greet").Value);
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }

    [Fact]
    public async Task WatchRepeatsUntilInterrupted()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        var info = new ProcessStartInfo(TestPaths.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "stats", "--json", "--watch", "0.2", "--socket", daemon.SocketPath })
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + TestPaths.Binary);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        using var timeout = new CancellationTokenSource(Daemon.CommandTimeout);

        // Each snapshot is one indented JSON object whose last line is a lone '}'.
        int snapshots = 0;
        while (snapshots < 3)
        {
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Fail($"stats --watch ended early: {output}\nstderr: {await stderr}");
            }

            output.AppendLine(line);
            if (line == "}")
            {
                snapshots++;
            }
        }

        Assert.Equal(0, Kill(process.Id, 2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}, stderr: {await stderr}");
        Assert.Equal(3, output.ToString().Split("\"uptime_milliseconds\"").Length - 1);
    }

    [Fact]
    public async Task StatsRejectsBadOptions()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult badInterval = await daemon.CliAsync("stats", "--watch=0");
        Assert.Equal(2, badInterval.ExitCode);
        Assert.Contains("--watch takes an interval in seconds", badInterval.Stderr);

        CliResult twoFormats = await daemon.CliAsync("stats", "--json", "--prometheus");
        Assert.Equal(2, twoFormats.ExitCode);
        Assert.Contains("cannot be combined", twoFormats.Stderr);
    }

    /// <summary>
    /// Installs hello and misbehave, then sends 25 good execs, two for a missing export, one that
    /// traps and one for an unknown agent: 29 exec requests in all.
    /// </summary>
    private static async Task<string> RunWorkloadAsync(Daemon daemon)
    {
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello", "--plugin", "misbehave");

        await using McpZeroClient client = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(RequestTimeout);
        for (int i = 0; i < Executions; i++)
        {
            await client.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agentId, Method = "greet", Input = "Ada"u8.ToArray() }, timeout.Token);
        }

        await ExpectErrorAsync(client, new AgentExecRequest { AgentId = agentId, Method = "nosuch" }, ErrorCode.MethodNotFound, timeout.Token);
        await ExpectErrorAsync(client, new AgentExecRequest { AgentId = agentId, Method = "nosuch" }, ErrorCode.MethodNotFound, timeout.Token);
        await ExpectErrorAsync(client, new AgentExecRequest { AgentId = agentId, Method = "trap" }, ErrorCode.PluginTrap, timeout.Token);
        await ExpectErrorAsync(client, new AgentExecRequest { AgentId = "a-missing", Method = "greet" }, ErrorCode.AgentNotFound, timeout.Token);
        return agentId;
    }

    private static async Task ExpectErrorAsync(McpZeroClient client, IRequest request, ErrorCode expected, CancellationToken cancellationToken)
    {
        var error = await Assert.ThrowsAsync<McpZeroServerException>(async () => await client.RequestAsync<ExecResponse>(request, cancellationToken));
        Assert.Equal(expected, error.Code);
    }

    private static JsonElement PluginMethod(JsonElement root, string plugin, string method) =>
        root.GetProperty("plugin_methods").EnumerateArray().Single(entry =>
            entry.GetProperty("plugin").GetString() == plugin && entry.GetProperty("method").GetString() == method);

    private static long ErrorCount(JsonElement root, string code) =>
        root.GetProperty("errors").EnumerateArray().Single(entry => entry.GetProperty("code").GetString() == code).GetProperty("count").GetInt64();

    private static async Task<string> WaitForTextfileAsync(string path, Func<string, bool> ready, Daemon daemon)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (File.Exists(path))
            {
                string text = await File.ReadAllTextAsync(path);
                if (ready(text))
                {
                    return text;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"'{path}' did not get the expected content within 30 s; daemon log:\n{daemon.Log}");
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
