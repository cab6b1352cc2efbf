namespace McpZero.IntegrationTests;

/// <summary>Bad input gets a clear error and exit status, and the daemon keeps serving.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task UnknownNamesAreRejectedWithTheirName()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "data_processing", "--plugin", "hello");

        CliResult unknownAgent = await daemon.CliAsync("agent", "exec", "a-missing", "process", "{}");
        Assert.Equal(1, unknownAgent.ExitCode);
        Assert.Contains("agent 'a-missing' not found", unknownAgent.Stderr);

        CliResult unknownMethod = await daemon.CliAsync("agent", "exec", agentId, "no_such_method", "{}");
        Assert.Equal(1, unknownMethod.ExitCode);
        Assert.Contains("exports 'no_such_method'", unknownMethod.Stderr);

        CliResult missingExport = await daemon.CliAsync("agent", "exec", agentId, "process", "{}", "--plugin", "hello");
        Assert.Equal(1, missingExport.ExitCode);
        Assert.Contains("plugin 'hello' has no export 'process'", missingExport.Stderr);

        CliResult unknownPlugin = await daemon.CliAsync("agent", "attach", agentId, "nope");
        Assert.Equal(1, unknownPlugin.ExitCode);
        Assert.Contains("plugin 'nope' not found", unknownPlugin.Stderr);

        CliResult spacedOwner = await daemon.CliAsync("agent", "spawn", "--owner", "a b");
        Assert.Equal(1, spacedOwner.ExitCode);
        Assert.Contains("agent owner 'a b' is invalid", spacedOwner.Stderr);

        CliResult uninstalledPlugin = await daemon.CliAsync("agent", "exec", agentId, "process", "{}", "--plugin", "nope");
        Assert.Equal(1, uninstalledPlugin.ExitCode);
        Assert.Contains("plugin 'nope' not found", uninstalledPlugin.Stderr);

        CliResult unknownSnapshot = await daemon.CliAsync("agent", "recover", "s-missing");
        Assert.Equal(1, unknownSnapshot.ExitCode);
        Assert.Contains("snapshot 's-missing' not found", unknownSnapshot.Stderr);

        Assert.Contains("\"records\":1", await daemon.OkAsync("agent", "exec", agentId, "process", "{\"x\":1}"));
    }

    [Fact]
    public async Task InvalidAndTruncatedModulesAreRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        string garbage = Path.Combine(daemon.Directory, "garbage.wasm");
        await File.WriteAllTextAsync(garbage, "this is not webassembly");
        CliResult invalid = await daemon.CliAsync("plugin", "install", garbage);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("not a valid module", invalid.Stderr);

        byte[] module = await File.ReadAllBytesAsync(TestPaths.Plugin("data_processing"));
        string truncated = Path.Combine(daemon.Directory, "truncated.wasm");
        await File.WriteAllBytesAsync(truncated, module[..(module.Length / 2)]);
        CliResult cut = await daemon.CliAsync("plugin", "install", truncated);
        Assert.Equal(1, cut.ExitCode);
        Assert.Contains("not a valid module", cut.Stderr);

        Assert.Equal("NAME  VERSION  SHA256  SIZE  SIGNER  AGENTS  EXPORTS", await daemon.OkAsync("plugin", "list"));
    }

    [Fact]
    public async Task InputOverTheLimitIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__MAXINPUTBYTES"] = "1000" });
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");

        CliResult tooLarge = await daemon.CliAsync("agent", "exec", agentId, "echo", new string('x', 1001));
        Assert.Equal(1, tooLarge.ExitCode);
        Assert.Contains("1001 bytes exceeds the exec input limit of 1000 bytes", tooLarge.Stderr);

        Assert.Equal(new string('y', 1000), await daemon.OkAsync("agent", "exec", agentId, "echo", new string('y', 1000)));
    }

    [Fact]
    public async Task MisbehavingPluginsBecomeErrors()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "300", "--memory-mb", "16");

        CliResult spin = await daemon.CliAsync("agent", "exec", agentId, "spin");
        Assert.Equal(1, spin.ExitCode);
        Assert.Contains("PluginTimeout", spin.Stderr);

        CliResult spinAgain = await daemon.CliAsync("agent", "exec", agentId, "spin");
        Assert.Equal(1, spinAgain.ExitCode);
        Assert.Contains("PluginTimeout", spinAgain.Stderr);

        // memory_mb 16 is 256 pages of 64 KiB: memory.grow returns -1 there and the plugin reports it.
        CliResult grow = await daemon.CliAsync("agent", "exec", agentId, "grow");
        Assert.Equal(1, grow.ExitCode);
        Assert.Contains("memory.grow failed at 256 pages", grow.Stderr);

        CliResult stackOverflow = await daemon.CliAsync("agent", "exec", agentId, "stack_overflow");
        Assert.Equal(1, stackOverflow.ExitCode);
        Assert.Contains("PluginTrap", stackOverflow.Stderr);

        CliResult bigOutput = await daemon.CliAsync("agent", "exec", agentId, "big_output", "2000000");
        Assert.Equal(1, bigOutput.ExitCode);
        Assert.Contains("PluginOutputTooLarge", bigOutput.Stderr);

        CliResult trap = await daemon.CliAsync("agent", "exec", agentId, "trap");
        Assert.Equal(1, trap.ExitCode);
        Assert.Contains("PluginTrap", trap.Stderr);

        CliResult fail = await daemon.CliAsync("agent", "exec", agentId, "fail");
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains("deliberate failure", fail.Stderr);

        CliResult failCode = await daemon.CliAsync("agent", "exec", agentId, "fail_code");
        Assert.Equal(1, failCode.ExitCode);
        Assert.Contains("plugin returned 7", failCode.Stderr);

        string fuelAgent = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--fuel", "100000");
        CliResult fuel = await daemon.CliAsync("agent", "exec", fuelAgent, "spin");
        Assert.Equal(1, fuel.ExitCode);
        Assert.Contains("PluginOutOfFuel", fuel.Stderr);

        Assert.Equal("still serving", await daemon.OkAsync("agent", "exec", agentId, "echo", "still serving"));
        Assert.StartsWith("ok: 10 records verified", await daemon.OkAsync("trace", "verify"));
    }

    [Fact]
    public async Task UsageErrorsExitWithTwo()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult unknownCommand = await daemon.CliAsync("frobnicate");
        Assert.Equal(2, unknownCommand.ExitCode);
        Assert.Contains("unknown command 'frobnicate'", unknownCommand.Stderr);

        CliResult unknownOption = await daemon.CliAsync("agent", "list", "--colour", "red");
        Assert.Equal(2, unknownOption.ExitCode);
        Assert.Contains("unknown option --colour", unknownOption.Stderr);

        CliResult missingArgument = await daemon.CliAsync("agent", "show");
        Assert.Equal(2, missingArgument.ExitCode);
        Assert.Contains("missing agent id", missingArgument.Stderr);
    }

    [Fact]
    public async Task CannotConnectExitsWithThree()
    {
        string directory = TestPaths.NewTestDirectory();
        string socket = Path.Combine(directory, "nobody.sock");
        try
        {
            CliResult result = await Daemon.RunBinaryAsync(["status", "--socket", socket]);

            Assert.Equal(3, result.ExitCode);
            Assert.Contains(socket, result.Stderr);
            Assert.Contains("mcpzero serve", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task StoppedDevelopmentDaemonIsNamed()
    {
        string directory = TestPaths.NewTestDirectory();
        try
        {
            // A ./var with a lock file is a development data directory whose daemon is stopped.
            Directory.CreateDirectory(Path.Combine(directory, "var"));
            await File.WriteAllTextAsync(Path.Combine(directory, "var", "mcpzero.lock"), "");

            CliResult result = await Daemon.RunBinaryAsync(["status"], workingDirectory: directory);

            Assert.Equal(3, result.ExitCode);
            Assert.Contains(Path.Combine(directory, "var", "mcpzero.sock"), result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
