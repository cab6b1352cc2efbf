using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Pipelining, shutdown with work in flight, the plugin catalog and the GC limit check.</summary>
public sealed class ServingTests
{
    [Fact]
    public async Task ResponsesCompleteOutOfOrder()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "3000", "--fuel", "1000000000000");
        await using McpZeroClient client = await daemon.ConnectAsync();

        Task<IResponse> slow = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }).AsTask();
        StatusResponse status = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);

        // The status request was sent after the exec on the same connection, and its reply arrives
        // while the exec still runs, because the exec's deadline is 3 seconds away.
        Assert.True(status.ProcessId > 0);
        Assert.False(slow.IsCompleted);
        ErrorResponse timedOut = Assert.IsType<ErrorResponse>(await slow.WaitAsync(Daemon.CommandTimeout));
        Assert.Equal(ErrorCode.PluginTimeout, timedOut.Code);
    }

    [Fact]
    public async Task SigtermFinishesInFlightRequests()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "1500", "--fuel", "1000000000000");
        await using McpZeroClient client = await daemon.ConnectAsync();
        Task<IResponse> inFlight = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }).AsTask();
        await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);

        Task<int> stopping = daemon.StopAsync();

        ErrorResponse answer = Assert.IsType<ErrorResponse>(await inFlight.WaitAsync(Daemon.CommandTimeout));
        Assert.Equal(ErrorCode.PluginTimeout, answer.Code);
        Assert.Equal(0, await stopping.WaitAsync(Daemon.CommandTimeout));
        Assert.False(File.Exists(daemon.SocketPath));
        Assert.Contains("Trace log committed and store checkpointed", daemon.Log);
    }

    [Fact]
    public async Task SigtermCancelsCallsPastShutdownTimeout()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__SHUTDOWNTIMEOUTSECONDS"] = "1" });
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "60000", "--fuel", "1000000000000000");
        await using McpZeroClient client = await daemon.ConnectAsync();
        Task<IResponse> inFlight = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }).AsTask();
        await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);

        Task<int> stopping = daemon.StopAsync();

        // The call's own deadline is a minute away; the shutdown timeout of 1 s cancels it.
        ErrorResponse answer = Assert.IsType<ErrorResponse>(await inFlight.WaitAsync(Daemon.CommandTimeout));
        Assert.Equal(ErrorCode.ShuttingDown, answer.Code);
        Assert.Contains("cancelled by the host", answer.Message);
        Assert.Equal(0, await stopping.WaitAsync(Daemon.CommandTimeout));

        await daemon.RestartAsync();
        string traces = await daemon.OkAsync("trace", "list", "--agent", agentId);
        Assert.Contains("misbehave.spin", traces);
        Assert.Contains("ShuttingDown", traces);
    }

    [Fact]
    public async Task PluginRemoveWaitsForAttachedAgents()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");

        CliResult refused = await daemon.CliAsync("plugin", "remove", "hello");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(agentId, refused.Stderr);

        await daemon.OkAsync("agent", "terminate", agentId);
        await daemon.OkAsync("plugin", "remove", "hello");
        Assert.Equal("NAME  VERSION  SHA256  SIZE  SIGNER  AGENTS  EXPORTS", await daemon.OkAsync("plugin", "list"));
        Assert.Equal(1, (await daemon.CliAsync("plugin", "show", "hello")).ExitCode);
    }

    [Fact]
    public async Task ReinstallUnderAttachedNameNeedsReplace()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");

        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        CliResult rejected = await daemon.CliAsync("plugin", "install", TestPaths.Plugin("data_processing"), "--name", "hello");
        Assert.Equal(1, rejected.ExitCode);
        Assert.Contains(agentId, rejected.Stderr);
        Assert.Contains("--replace", rejected.Stderr);
        Assert.StartsWith("Hello, Ada!", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));

        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"), "--name", "hello", "--replace");
        Assert.Contains("\"records\":1", await daemon.OkAsync("agent", "exec", agentId, "process", "{\"x\":1}"));
    }

    [Fact]
    public async Task FullDaemonRepliesBusy()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__MAXCONNECTIONS"] = "2" });
        await using McpZeroClient first = await daemon.ConnectAsync();
        await using McpZeroClient second = await daemon.ConnectAsync();

        CliResult third = await daemon.CliAsync("status");

        Assert.Equal(1, third.ExitCode);
        Assert.Contains("MaxConnections", third.Stderr);
        Assert.Contains("Busy", third.Stderr);
        StatusResponse status = await first.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
        Assert.Equal(2, status.Connections);
    }

    [Fact]
    public async Task TraceVerifyRejectsSequencePastHead()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
        await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada");

        CliResult pastHead = await daemon.CliAsync("trace", "verify", "--from", "5");

        Assert.Equal(1, pastHead.ExitCode);
        Assert.Contains("sequences 0 to 0", pastHead.Stderr);
        Assert.StartsWith("ok: 1 records verified", await daemon.OkAsync("trace", "verify", "--from", "0"));
    }

    [Fact]
    public async Task TinyHeapLimitOverrideIsRejected()
    {
        string directory = TestPaths.NewTestDirectory();
        try
        {
            // 2000000 in hexadecimal is 32 MiB, below the 64 MiB minimum.
            CliResult result = await Daemon.RunBinaryAsync(
                ["serve", "--socket", Path.Combine(directory, "t.sock"), "--data", Path.Combine(directory, "data")],
                environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "2000000" });

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("below the minimum of 64 MiB", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ManifestInstallChecksHashAndAppliesConfig()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string module = TestPaths.Plugin("hello");
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(module)));

        string wrong = Path.Combine(daemon.Directory, "wrong.json");
        await File.WriteAllTextAsync(wrong, "{\"wasm\":[{\"path\":\"" + module + "\",\"hash\":\"" + new string('0', 64) + "\"}]}");
        CliResult mismatch = await daemon.CliAsync("plugin", "install", wrong, "--name", "greeter");
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("hash mismatch", mismatch.Stderr);
        Assert.Contains(hash, mismatch.Stderr);

        string manifest = Path.Combine(daemon.Directory, "manifest.json");
        await File.WriteAllTextAsync(manifest, "{\"wasm\":[{\"path\":\"" + module + "\",\"hash\":\"" + hash + "\"}],\"config\":{\"greeting\":\"Hej\"},\"memory\":{\"max_pages\":4}}");
        await daemon.OkAsync("plugin", "install", manifest, "--name", "greeter");
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "greeter");

        Assert.StartsWith("Hej, Ada!", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));
    }

    [Fact]
    public async Task InvalidHeapLimitOverrideIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await using (McpZeroClient client = await daemon.ConnectAsync())
        {
            StatusResponse status = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
            Assert.Equal(256L * 1024 * 1024, status.GcHeapHardLimitBytes);
        }

        // The runtime reads the variable as bare hexadecimal and ignores "0x8000000".
        CliResult result = await Daemon.RunBinaryAsync(
            ["serve", "--socket", Path.Combine(daemon.Directory, "h.sock"), "--data", Path.Combine(daemon.Directory, "h")],
            environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x8000000" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("DOTNET_GCHeapHardLimit", result.Stderr);
    }
}
