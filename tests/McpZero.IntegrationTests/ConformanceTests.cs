using System.Text;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>
/// The same Extism ABI cases against one conformance plugin per language (tests/plugins/conformance and
/// tests/plugins/as_pdk/assembly/conformance.ts). The plugins export the same methods with the same
/// outputs and messages, so every case expects the same outcome from each of them.
/// </summary>
public sealed class ConformanceTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Plugins => new() { "conformance_wat", "conformance_c", "conformance_rust", "conformance_as" };

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task EchoKeepsEveryInputSize(string plugin)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon, plugin);
        await using McpZeroClient client = await daemon.ConnectAsync();

        // Inputs of 7, 8 and 9 bytes test where the 8-byte words that PDKs copy per host call end
        // and the byte-wise tail starts.
        byte[] oneMebibyte = new byte[1 << 20];
        new Random(20261205).NextBytes(oneMebibyte);
        byte[][] inputs = [[], [0xFF], "1234567"u8.ToArray(), "12345678"u8.ToArray(), "123456789"u8.ToArray(), oneMebibyte];
        foreach (byte[] input in inputs)
        {
            ExecResponse echoed = await ExecAsync(client, agentId, "echo", input);
            Assert.True(input.AsSpan().SequenceEqual(echoed.Output), $"{plugin} echo of {input.Length} bytes returned {echoed.Output.Length} different bytes");
        }

        ExecResponse empty = await ExecAsync(client, agentId, "empty", "ignored input"u8.ToArray());
        Assert.Empty(empty.Output);
        Assert.Equal(plugin, empty.Plugin);
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task ErrorSetOrNonZeroReturnFailsCall(string plugin)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon, plugin);
        await using McpZeroClient client = await daemon.ConnectAsync();

        McpZeroServerException withError = await ExecFailureAsync(client, agentId, "fail_with_error");
        Assert.Equal(ErrorCode.PluginError, withError.Code);
        Assert.StartsWith($"Plugin '{plugin}' (", withError.Message);
        Assert.EndsWith($"method 'fail_with_error' for agent '{agentId}' failed: conformance: fail_with_error was called", withError.Message);

        // error_set marks the call as failed even though the export returned 0.
        McpZeroServerException errorButZero = await ExecFailureAsync(client, agentId, "error_but_zero");
        Assert.Equal(ErrorCode.PluginError, errorButZero.Code);
        Assert.EndsWith($"method 'error_but_zero' for agent '{agentId}' failed: conformance: error_but_zero was called", errorButZero.Message);

        // A non-zero return without error_set is a failure, and the message names the return value.
        McpZeroServerException nonZero = await ExecFailureAsync(client, agentId, "nonzero_no_error");
        Assert.Equal(ErrorCode.PluginError, nonZero.Code);
        Assert.EndsWith($"method 'nonzero_no_error' for agent '{agentId}' failed: plugin returned 5", nonZero.Message);

        // The error text belongs to one call: the next call on the same instance succeeds.
        ExecResponse after = await ExecAsync(client, agentId, "echo", "after"u8.ToArray());
        Assert.Equal("after", Encoding.UTF8.GetString(after.Output));

        string trace = await daemon.OkAsync("trace", "list", "--agent", agentId);
        Assert.Equal(3, CountLinesContaining(trace, "PluginError"));
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task VariablesSurviveCallsTrapsAndRestart(string plugin)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon, plugin);

        await using (McpZeroClient client = await daemon.ConnectAsync())
        {
            Assert.Equal("1", await ExecTextAsync(client, agentId, "var_counter"));
            Assert.Equal("2", await ExecTextAsync(client, agentId, "var_counter"));

            // A trap discards the instance; the variables live in the agent, so the count goes on.
            McpZeroServerException trap = await ExecFailureAsync(client, agentId, "trap");
            Assert.Equal(ErrorCode.PluginTrap, trap.Code);
            Assert.Equal("3", await ExecTextAsync(client, agentId, "var_counter"));
        }

        Assert.Contains("counter (1 B)", await daemon.OkAsync("agent", "show", agentId));
        Assert.Equal(0, await daemon.StopAsync());
        await daemon.RestartAsync();

        await using (McpZeroClient client = await daemon.ConnectAsync())
        {
            Assert.Equal("4", await ExecTextAsync(client, agentId, "var_counter"));
        }
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task ConfigComesFromPluginAndAgent(string plugin)
    {
        await using Daemon daemon = await Daemon.StartAsync();

        // The manifest sets two keys, and the agent's config replaces one of them.
        string manifest = Path.Combine(daemon.Directory, "manifest.json");
        string module = TestPaths.TestPlugin(plugin).Replace("\\", "\\\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(manifest,
            $$$"""{"wasm":[{"path":"{{{module}}}","name":"{{{plugin}}}"}],"config":{"plugin_key":"from the manifest","shared":"manifest value"}}""");
        await daemon.OkAsync("plugin", "install", manifest);
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", plugin, "--config", "shared=agent value", "--config", "unicode=grüße");
        await using McpZeroClient client = await daemon.ConnectAsync();

        Assert.Equal("from the manifest", await ExecTextAsync(client, agentId, "config_echo", "plugin_key"));
        Assert.Equal("agent value", await ExecTextAsync(client, agentId, "config_echo", "shared"));
        Assert.Equal("grüße", await ExecTextAsync(client, agentId, "config_echo", "unicode"));

        McpZeroServerException missing = await ExecFailureAsync(client, agentId, "config_echo", "no_such_key");
        Assert.Equal(ErrorCode.PluginError, missing.Code);
        Assert.EndsWith($"method 'config_echo' for agent '{agentId}' failed: conformance: config key not found", missing.Message);
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task LogsReachDaemonLogAtEachLevel(string plugin)
    {
        var environment = new Dictionary<string, string> { ["MCPZERO__Logging__LogLevel__McpZero.Plugins.Guest"] = "Trace" };
        await using Daemon daemon = await Daemon.StartAsync(environment: environment);
        string agentId = await SpawnAsync(daemon, plugin);
        await using (McpZeroClient client = await daemon.ConnectAsync())
        {
            Assert.Empty((await ExecAsync(client, agentId, "log_all", [])).Output);
        }

        // The console logger writes in the background, so the lines are read after a clean stop.
        Assert.Equal(0, await daemon.StopAsync());
        string[] lines = daemon.Log.Split('\n');
        (string Prefix, string Level)[] levels = [("trce", "trace"), ("dbug", "debug"), ("info", "info"), ("warn", "warn"), ("fail", "error")];
        foreach ((string prefix, string level) in levels)
        {
            string message = $"Plugin {plugin} (agent {agentId}): conformance: log_all {level}";
            string? line = lines.FirstOrDefault(candidate => candidate.EndsWith(message, StringComparison.Ordinal));
            Assert.True(line is not null, $"no log line ends with '{message}'; daemon log:\n{daemon.Log}");
            Assert.Contains($" {prefix}: McpZero.Plugins.Guest[3100] ", line);
        }
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task TrapTimeoutAndMemoryLimitBecomeErrors(string plugin)
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string agentId = await SpawnAsync(daemon, plugin, "--timeout-ms", "300", "--memory-mb", "16");
        await using McpZeroClient client = await daemon.ConnectAsync();

        McpZeroServerException trap = await ExecFailureAsync(client, agentId, "trap");
        Assert.Equal(ErrorCode.PluginTrap, trap.Code);
        Assert.Contains($"method 'trap' for agent '{agentId}': trapped: wasm trap: wasm `unreachable` instruction executed", trap.Message);

        // Each call has its own deadline, so a second timeout on the same agent fires too.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            McpZeroServerException spin = await ExecFailureAsync(client, agentId, "spin");
            Assert.Equal(ErrorCode.PluginTimeout, spin.Code);
            Assert.Contains($"method 'spin' for agent '{agentId}': timed out: limit 300 ms, ran ", spin.Message);
        }

        // memory_mb 16 is 256 pages of 64 KiB: memory.grow returns -1 there and the plugin reports it.
        McpZeroServerException grow = await ExecFailureAsync(client, agentId, "grow");
        Assert.Equal(ErrorCode.PluginError, grow.Code);
        Assert.EndsWith($"method 'grow' for agent '{agentId}' failed: conformance: memory.grow failed at 256 pages", grow.Message);

        // The daemon keeps serving: a new agent of the same plugin runs normally.
        string other = await SpawnAsync(daemon, plugin, install: false);
        Assert.Equal("still serving", await ExecTextAsync(client, other, "echo", "still serving"));
    }

    private static async Task<string> SpawnAsync(Daemon daemon, string plugin, params string[] options) =>
        await SpawnAsync(daemon, plugin, install: true, options);

    private static async Task<string> SpawnAsync(Daemon daemon, string plugin, bool install, params string[] options)
    {
        if (install)
        {
            await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin(plugin));
        }

        return await daemon.OkAsync(["agent", "spawn", "--plugin", plugin, .. options]);
    }

    private static Task<ExecResponse> ExecAsync(McpZeroClient client, string agentId, string method, byte[] input) =>
        client.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agentId, Method = method, Input = input }).WaitAsync(RequestTimeout);

    private static async Task<string> ExecTextAsync(McpZeroClient client, string agentId, string method, string input = "")
    {
        ExecResponse response = await ExecAsync(client, agentId, method, Encoding.UTF8.GetBytes(input));
        return Encoding.UTF8.GetString(response.Output);
    }

    private static Task<McpZeroServerException> ExecFailureAsync(McpZeroClient client, string agentId, string method, string input = "") =>
        Assert.ThrowsAsync<McpZeroServerException>(() => ExecAsync(client, agentId, method, Encoding.UTF8.GetBytes(input)));

    private static int CountLinesContaining(string text, string value) =>
        text.Split('\n').Count(line => line.Contains(value, StringComparison.Ordinal));
}
