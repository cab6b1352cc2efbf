namespace McpZero.IntegrationTests;

/// <summary>The full agent life cycle through the CLI of the AOT binary.</summary>
public sealed class AgentLifecycleTests
{
    [Fact]
    public async Task LifecycleKeepsVariablesAcrossCallsSnapshotsAndRecovery()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        string installed = await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));
        Assert.Contains("process", installed);

        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "alice", "--memory-mb", "32", "--timeout-ms", "2000");
        Assert.StartsWith("a-", agentId);
        await daemon.OkAsync("agent", "attach", agentId, "data_processing");

        string first = await daemon.OkAsync("agent", "exec", agentId, "process", "{\"cpu\":0.5,\"host\":\"a\"}");
        Assert.Contains("\"records\":1", first);
        Assert.Contains("\"running\":{\"calls\":1", first);

        string second = await daemon.OkAsync("agent", "exec", agentId, "process", "[{\"cpu\":0.1},{\"cpu\":0.3}]");
        Assert.Contains("\"records\":2", second);
        Assert.Contains("\"running\":{\"calls\":2", second);

        string snapshotId = await daemon.OkAsync("agent", "snapshot", agentId);
        Assert.StartsWith("s-", snapshotId);

        string third = await daemon.OkAsync("agent", "exec", agentId, "process", "{\"cpu\":1}");
        Assert.Contains("\"running\":{\"calls\":3", third);

        string recovered = await daemon.OkAsync("agent", "recover", snapshotId);
        Assert.Contains(agentId, recovered);

        string afterRecovery = await daemon.OkAsync("agent", "exec", agentId, "process", "{\"cpu\":1}");
        Assert.Contains("\"running\":{\"calls\":3", afterRecovery);

        string shown = await daemon.OkAsync("agent", "show", agentId);
        Assert.Contains("alice", shown);
        Assert.Contains(snapshotId, shown);
        Assert.Contains("memory_mb=32", shown);

        string list = await daemon.OkAsync("agent", "list");
        Assert.Contains(agentId, list);

        await daemon.OkAsync("agent", "terminate", agentId);
        CliResult execAfterTerminate = await daemon.CliAsync("agent", "exec", agentId, "process", "{}");
        Assert.Equal(1, execAfterTerminate.ExitCode);
        Assert.Contains("terminated", execAfterTerminate.Stderr);

        string traces = await daemon.OkAsync("trace", "list", "--agent", agentId);
        Assert.Equal(5, traces.Split('\n').Length);

        string verify = await daemon.OkAsync("trace", "verify");
        Assert.StartsWith("ok: 4 records verified", verify);
    }

    [Fact]
    public async Task ExecReadsInputFromFileAndStdin()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");

        string file = Path.Combine(daemon.Directory, "input.bin");
        await File.WriteAllTextAsync(file, "from a file");
        Assert.Equal("from a file", await daemon.OkAsync("agent", "exec", agentId, "echo", "@" + file));

        CliResult piped = await daemon.CliWithInputAsync("from stdin"u8.ToArray(), "agent", "exec", agentId, "echo", "-");
        Assert.Equal(0, piped.ExitCode);
        Assert.Equal("from stdin", piped.Stdout);

        Assert.Equal("an argument", await daemon.OkAsync("agent", "exec", agentId, "echo", "an argument"));
    }

    [Fact]
    public async Task ConfigAndVariablesReachTheWatPlugin()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello", "--config", "greeting=Hi");

        string first = await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");
        string second = await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");

        Assert.StartsWith("Hi, Ada!", first);
        Assert.Contains("#1", first);
        Assert.Contains("#2", second);
    }

    [Fact]
    public async Task JsonOutputIsMachineReadable()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));

        string json = await daemon.OkAsync("plugin", "show", "data_processing", "--json");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("data_processing", document.RootElement.GetProperty("name").GetString());
        Assert.Equal(64, document.RootElement.GetProperty("sha256").GetString()!.Length);
    }
}
