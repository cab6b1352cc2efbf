using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>The `mcpzero` command as a user runs it: options, help, messages and output formats.</summary>
public sealed partial class CliTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task JsonAppliesToEveryCommand()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn");

        using JsonDocument terminated = JsonDocument.Parse(await daemon.OkAsync("agent", "terminate", agentId, "--json"));
        Assert.Equal($"terminated agent '{agentId}'", terminated.RootElement.GetProperty("message").GetString());

        using JsonDocument removed = JsonDocument.Parse(await daemon.OkAsync("plugin", "remove", "hello", "--json"));
        Assert.Equal("removed plugin 'hello'", removed.RootElement.GetProperty("message").GetString());

        string status = await daemon.OkAsync("status", "--json");
        Assert.DoesNotContain("\\u002B", status);
        using JsonDocument parsed = JsonDocument.Parse(status);
        string version = parsed.RootElement.GetProperty("server_version").GetString()!;
        Assert.Contains($"\"server_version\": \"{version}\"", status);
    }

    [Fact]
    public async Task OversizedExecInputFailsBeforeSending()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__MAXFRAMEBYTES"] = "65536" });
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");

        CliResult tooLarge = await daemon.CliWithInputAsync(new byte[70_000], "agent", "exec", agentId, "echo", "-");
        Assert.Equal(1, tooLarge.ExitCode);
        Assert.Contains("maximum frame size of 65536 bytes", tooLarge.Stderr);
        Assert.Contains("MaxFrameBytes", tooLarge.Stderr);
        Assert.Contains("FrameTooLarge", tooLarge.Stderr);
        Assert.DoesNotContain("Broken pipe", tooLarge.Stderr);

        await using McpZeroClient client = await daemon.ConnectAsync();
        var request = new AgentExecRequest { AgentId = agentId, Method = "echo", Input = new byte[70_000] };
        McpZeroServerException error = await Assert.ThrowsAsync<McpZeroServerException>(() => client.SendAsync(request).WaitAsync(RequestTimeout));
        Assert.Equal(ErrorCode.FrameTooLarge, error.Code);

        var small = new AgentExecRequest { AgentId = agentId, Method = "echo", Input = "same connection"u8.ToArray() };
        ExecResponse echoed = await client.RequestAsync<ExecResponse>(small).WaitAsync(RequestTimeout);
        Assert.Equal("same connection"u8.ToArray(), echoed.Output);
    }

    [Theory]
    [InlineData("agent list --jsn", "unknown option --jsn", "did you mean --json?")]
    [InlineData("agent list --sock /tmp/x", "unknown option --sock", "did you mean --socket?")]
    [InlineData("agent spawn --ownr me", "unknown option --ownr", "did you mean --owner?")]
    [InlineData("agent list --plugin hello", "unknown option --plugin for `agent list`", "")]
    [InlineData("status --frobnicate", "unknown option --frobnicate", "")]
    [InlineData("agent spawn --owner", "option --owner needs a value", "")]
    [InlineData("agent spawn --owner --json", "option --owner needs a value", "")]
    [InlineData("status --json=yes", "option --json takes no value", "")]
    [InlineData("--json status", "option --json must follow the command", "")]
    [InlineData("agent frobnicate", "unknown agent command 'frobnicate'", "")]
    public async Task OptionErrorsNameTheOption(string commandLine, string expected, string hint)
    {
        CliResult result = await RunAsync(commandLine.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Contains(hint, result.Stderr);
    }

    [Theory]
    [InlineData("--help", "Options follow the command")]
    [InlineData("-h", "Options follow the command")]
    [InlineData("help agent", "agent terminate AGENT")]
    [InlineData("agent --help", "agent terminate AGENT")]
    [InlineData("agent list --help", "agent terminate AGENT")]
    [InlineData("agent exec a-1 --help", "agent terminate AGENT")]
    [InlineData("plugin remove -h", "plugin remove NAME")]
    [InlineData("trace list --jsn --help", "trace verify")]
    [InlineData("bench --help", "--payload-bytes N")]
    [InlineData("status --help", "Options follow the command")]
    [InlineData("frobnicate --help", "Options follow the command")]
    [InlineData("serve --help", "Configuration keys")]
    public async Task HelpAnywherePrintsHelp(string commandLine, string expected)
    {
        CliResult result = await RunAsync(commandLine.Split(' '));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task CommandHelpShowsOnlyItsSection()
    {
        CliResult agent = await RunAsync("agent", "--help");

        Assert.Contains("agent spawn", agent.Stdout);
        Assert.Contains("--socket PATH", agent.Stdout);
        Assert.DoesNotContain("plugin install", agent.Stdout);
        Assert.DoesNotContain("trace verify", agent.Stdout);
    }

    [Fact]
    public async Task ServeHelpListsEveryKey()
    {
        CliResult result = await RunAsync("serve", "--help");
        Assert.Equal(0, result.ExitCode);

        string[] keys =
        [
            "SocketPath", "DataDirectory", "SocketMode", "MaxFrameBytes", "ShutdownTimeoutSeconds", "MaxConnections",
            "InstancesPerPlugin", "MaxConcurrentExecutions", "MaxInputBytes", "DefaultTimeoutMs", "DefaultMemoryMb", "CheckpointIntervalSeconds",
            "MemoryCeilingBytes", "CpuBudgetPercent", "MaxQueuedPerAgent", "MaxQueuedExecutions", "QueueTimeoutMs", "AdmissionControl",
            "TraceSegmentBytes", "TraceMaxBytes", "TraceMaxAgeSeconds",
        ];
        foreach (string key in keys)
        {
            Assert.Matches(new Regex($@"^  {key} +\S", RegexOptions.Multiline), result.Stdout);
        }

        Assert.Contains("4194304", result.Stdout);
        Assert.Contains("1048576", result.Stdout);
        Assert.Contains("in MiB: 64", result.Stdout);
        Assert.Contains("milliseconds: 5000", result.Stdout);
        Assert.DoesNotContain("DefaultFuel", result.Stdout);
    }

    [Fact]
    public async Task UnreadableInputsGetPlainMessages()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
        string missing = Path.Combine(daemon.Directory, "missing.bin");

        CliResult directoryInput = await daemon.CliAsync("agent", "exec", agentId, "greet", "@" + daemon.Directory);
        Assert.Equal(2, directoryInput.ExitCode);
        Assert.Contains($"'{daemon.Directory}' is a directory", directoryInput.Stderr);

        // A folder is read as a bundle, so one without the bundle files gets the bundle's message.
        CliResult directoryModule = await daemon.CliAsync("plugin", "install", daemon.Directory);
        Assert.Equal(2, directoryModule.ExitCode);
        Assert.Contains($"bundle '{daemon.Directory}' has no manifest.json", directoryModule.Stderr);

        CliResult missingInput = await daemon.CliAsync("agent", "exec", agentId, "greet", "@" + missing);
        Assert.Equal(2, missingInput.ExitCode);
        Assert.Contains($"input file '{missing}' not found", missingInput.Stderr);

        string manifest = Path.Combine(daemon.Directory, "broken.json");
        await File.WriteAllTextAsync(manifest, "{\"wasm\": [ {");
        CliResult brokenManifest = await daemon.CliAsync("plugin", "install", manifest);
        Assert.Equal(2, brokenManifest.ExitCode);
        Assert.Contains("is not valid JSON: Expected depth to be zero", brokenManifest.Stderr);

        foreach (CliResult result in new[] { directoryInput, directoryModule, missingInput, brokenManifest })
        {
            Assert.DoesNotMatch(ResourceKey(), result.Stderr);
        }
    }

    [Fact]
    public async Task ConnectFailuresSayWhy()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string missingSocket = Path.Combine(daemon.Directory, "none.sock");

        CliResult noFile = await RunAsync("status", "--socket", missingSocket);
        Assert.Equal(3, noFile.ExitCode);
        Assert.Contains($"no daemon socket at '{missingSocket}' (the file does not exist)", noFile.Stderr);
        Assert.Contains("mcpzero serve", noFile.Stderr);

        await daemon.CrashAsync();
        CliResult stale = await daemon.CliAsync("status");
        Assert.Equal(3, stale.ExitCode);
        Assert.Contains($"nothing is listening on '{daemon.SocketPath}' (stale socket file)", stale.Stderr);
        Assert.Contains("mcpzero serve", stale.Stderr);
    }

    [Fact]
    public async Task TerminalOutputHasNoEscapes()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");

        string version = await RunOnTerminalAsync($"'{TestPaths.Binary}' --version");
        Assert.DoesNotContain('\u001b', version);
        Assert.StartsWith("mcpzero ", version);

        string status = await RunOnTerminalAsync($"'{TestPaths.Binary}' status --socket '{daemon.SocketPath}'");
        Assert.DoesNotContain('\u001b', status);
        Assert.StartsWith("FIELD", status);

        // The plugin's greeting has no trailing newline; on a terminal the CLI adds one.
        string greeting = await RunOnTerminalAsync($"'{TestPaths.Binary}' agent exec {agentId} greet world --socket '{daemon.SocketPath}'");
        Assert.DoesNotContain('\u001b', greeting);
        Assert.StartsWith("Hello, world!", greeting);
        Assert.EndsWith("\n", greeting);

        CliResult piped = await daemon.CliAsync("agent", "exec", agentId, "greet", "world");
        Assert.StartsWith("Hello, world!", piped.Stdout);
        Assert.EndsWith(")", piped.Stdout);
    }

    [Fact]
    public async Task RedirectedOutputKeepsFileOrder()
    {
        string directory = TestPaths.NewTestDirectory();
        try
        {
            string file = Path.Combine(directory, "out.txt");
            await RunShellAsync($"{{ echo before; '{TestPaths.Binary}' --version; echo after; }} > '{file}'");

            string[] lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(3, lines.Length);
            Assert.Equal("before", lines[0]);
            Assert.StartsWith("mcpzero ", lines[1]);
            Assert.Equal("after", lines[2]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task StatusUptimeIsCompact()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        string status = await daemon.OkAsync("status");

        Assert.Matches(new Regex(@"^uptime +(\d+s|\d+m\d\ds|\d+h\d\dm|\d+d\d\dh)$", RegexOptions.Multiline), status);
    }

    [Fact]
    public async Task FailedBenchLeavesNoAgents()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));

        CliResult unknownPlugin = await daemon.CliAsync("bench", "--plugin", "nosuch", "--iterations", "2");
        Assert.Equal(1, unknownPlugin.ExitCode);
        Assert.Contains("plugin 'nosuch' not found", unknownPlugin.Stderr);

        CliResult unknownMethod = await daemon.CliAsync("bench", "--method", "nosuch", "--iterations", "2");
        Assert.Equal(1, unknownMethod.ExitCode);
        Assert.Contains("exports 'nosuch'", unknownMethod.Stderr);

        using JsonDocument agents = JsonDocument.Parse(await daemon.OkAsync("agent", "list", "--json"));
        JsonElement[] all = [.. agents.RootElement.GetProperty("agents").EnumerateArray()];
        Assert.Equal(2, all.Length);
        Assert.All(all, agent => Assert.Equal("terminated", agent.GetProperty("status").GetString()));

        string report = await daemon.OkAsync("bench", "--iterations", "3", "--json");
        using JsonDocument parsed = JsonDocument.Parse(report);
        Assert.Equal(3, parsed.RootElement.GetProperty("iterations").GetInt32());
    }

    /// <summary>A .NET resource key such as IO_FileNotFound_FileName, shown when resource strings are stripped.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+_[A-Z][A-Za-z]+")]
    private static partial Regex ResourceKey();

    /// <summary>Runs the binary without a daemon.</summary>
    private static Task<CliResult> RunAsync(params string[] args) => Daemon.RunBinaryAsync(args);

    /// <summary>
    /// Runs a shell command with a pseudo-terminal as its stdin, stdout and stderr through
    /// util-linux `script`, and returns what the terminal received with "\r\n" turned into "\n".
    /// </summary>
    private static async Task<string> RunOnTerminalAsync(string command)
    {
        string output = await RunProcessAsync("script", "-qec", command, "/dev/null");
        return output.Replace("\r\n", "\n");
    }

    private static Task<string> RunShellAsync(string command) => RunProcessAsync("/bin/sh", "-c", command);

    private static async Task<string> RunProcessAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Daemon.CommandTimeout);
        string output = await stdout.WaitAsync(Daemon.CommandTimeout);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {output}{await stderr.WaitAsync(Daemon.CommandTimeout)}");
        return output;
    }
}
