using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Start, stop, restart and crash of the daemon process.</summary>
public sealed class DaemonLifecycleTests
{
    [Fact]
    public async Task RemovedDataDirectoryDoesNotBlockStop()
    {
        // The host's shutdown timeout is ShutdownTimeoutSeconds plus 30 s. A store whose files are
        // gone never completes the final checkpoint, so the daemon must give up on it then.
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["MCPZERO__SHUTDOWNTIMEOUTSECONDS"] = "0",
        });
        await daemon.OkAsync("agent", "spawn", "--owner", "bob");
        Directory.Delete(daemon.DataDirectory, recursive: true);

        await daemon.StopAsync(TimeSpan.FromSeconds(120));

        Assert.Contains("Shutdown timed out during the final checkpoint", daemon.Log);
    }

    [Fact]
    public async Task RestartKeepsAgentsVariablesAndCompiledModules()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "bob", "--plugin", "data_processing");
        await daemon.OkAsync("agent", "exec", agentId, "process", "{\"v\":1}");
        await daemon.OkAsync("agent", "exec", agentId, "process", "{\"v\":2}");

        Assert.Equal(0, await daemon.StopAsync());
        Assert.False(File.Exists(daemon.SocketPath), "SIGTERM must remove the socket file");

        await daemon.RestartAsync();
        Assert.Contains(agentId, await daemon.OkAsync("agent", "list"));
        string third = await daemon.OkAsync("agent", "exec", agentId, "process", "{\"v\":3}");
        Assert.Contains("\"running\":{\"calls\":3", third);

        await using McpZeroClient client = await daemon.ConnectAsync();
        StatusResponse status = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
        Assert.Equal(0, status.ModulesCompiled);
        Assert.Equal(1, status.ModulesLoadedFromCache);
        Assert.Equal(3, status.TraceRecords);
        Assert.StartsWith("ok: 3 records verified", await daemon.OkAsync("trace", "verify"));
    }

    [Fact]
    public async Task StaleSocketFromACrashIsReplaced()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        await daemon.CrashAsync();
        Assert.True(File.Exists(daemon.SocketPath), "SIGKILL leaves the socket file behind");

        await daemon.RestartAsync();
        Assert.Contains("hello", await daemon.OkAsync("plugin", "list"));
    }

    [Fact]
    public async Task SecondDaemonOnALiveSocketRefusesToStart()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult second = await daemon.RawAsync("serve", "--socket", daemon.SocketPath, "--data", Path.Combine(daemon.Directory, "other"));

        Assert.Equal(1, second.ExitCode);
        Assert.Contains("already listening", second.Stderr);
        Assert.Contains(daemon.SocketPath, second.Stderr);
        await daemon.OkAsync("status");
    }

    [Fact]
    public async Task SocketPathTakenByAFileRefusesToStart()
    {
        string directory = TestPaths.NewTestDirectory();
        string taken = Path.Combine(directory, "taken.sock");
        await File.WriteAllTextAsync(taken, "not a socket");
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult result = await daemon.RawAsync("serve", "--socket", taken, "--data", Path.Combine(directory, "data"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a socket", result.Stderr);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(taken));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task UnwritableDataDirectoryRefusesToStart()
    {
        string directory = TestPaths.NewTestDirectory();
        string blocker = Path.Combine(directory, "file");
        await File.WriteAllTextAsync(blocker, "a regular file where a folder is needed");
        await using Daemon daemon = await Daemon.StartAsync();

        // A path below a regular file cannot be created, even by root.
        CliResult result = await daemon.RawAsync("serve", "--socket", Path.Combine(directory, "x.sock"), "--data", Path.Combine(blocker, "data"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not writable", result.Stderr);
        Assert.Contains(Path.Combine(blocker, "data"), result.Stderr);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task ConcurrentClientsAllSucceed()
    {
        // 100 calls per agent are in flight at once, so the queues must hold them all.
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["MCPZERO__MAXQUEUEDPERAGENT"] = "128",
            ["MCPZERO__MAXQUEUEDEXECUTIONS"] = "512",
        });
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));
        string[] agents = new string[4];
        for (int i = 0; i < agents.Length; i++)
        {
            agents[i] = await daemon.OkAsync("agent", "spawn", "--plugin", "data_processing");
        }

        const int CallsPerClient = 50;
        Task[] clients = new Task[8];
        for (int c = 0; c < clients.Length; c++)
        {
            string agentId = agents[c % agents.Length];
            clients[c] = Task.Run(async () =>
            {
                await using McpZeroClient client = await daemon.ConnectAsync();
                Task<ExecResponse>[] calls = new Task<ExecResponse>[CallsPerClient];
                for (int i = 0; i < CallsPerClient; i++)
                {
                    calls[i] = client.RequestAsync<ExecResponse>(new AgentExecRequest
                    {
                        AgentId = agentId,
                        Method = "process",
                        Input = System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"),
                    }).AsTask();
                }

                ExecResponse[] results = await Task.WhenAll(calls).WaitAsync(Daemon.CommandTimeout);
                Assert.All(results, result => Assert.Contains("\"records\":1", System.Text.Encoding.UTF8.GetString(result.Output)));
            });
        }

        await Task.WhenAll(clients).WaitAsync(Daemon.CommandTimeout);

        // Two clients share each agent, and the agent's calls run one at a time, so its running
        // total counts every call exactly once.
        foreach (string agentId in agents)
        {
            string output = await daemon.OkAsync("agent", "exec", agentId, "process", "{\"n\":0}");
            Assert.Contains($"\"running\":{{\"calls\":{2 * CallsPerClient + 1}", output);
        }

        Assert.StartsWith($"ok: {8 * CallsPerClient + 4} records verified", await daemon.OkAsync("trace", "verify"));
    }

    [Fact]
    public async Task SecondDaemonOnTheSameDataIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();

        CliResult second = await daemon.RawAsync("serve", "--socket", Path.Combine(daemon.Directory, "second.sock"), "--data", daemon.DataDirectory);

        Assert.Equal(1, second.ExitCode);
        Assert.Contains("is in use by another mcpzero daemon", second.Stderr);
        Assert.Contains($"pid {daemon.ProcessId}", second.Stderr);
        Assert.False(File.Exists(Path.Combine(daemon.Directory, "second.sock")));
        await daemon.OkAsync("status");
    }

    [Fact]
    public async Task RelativeConfigFileIsRead()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.StopAsync();
        string socket = Path.Combine(daemon.Directory, "from-config.sock");
        await File.WriteAllTextAsync(
            Path.Combine(daemon.Directory, "c.json"),
            "{\"SocketPath\":\"" + socket + "\",\"DataDirectory\":\"" + daemon.DataDirectory + "\",\"SocketPth\":\"typo\"}");

        var info = new System.Diagnostics.ProcessStartInfo(TestPaths.Binary, ["serve", "--config", "c.json"])
        {
            WorkingDirectory = daemon.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            for (int i = 0; i < 200 && !File.Exists(socket); i++)
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(socket), "the daemon did not create the socket named in the relative config file");
            CliResult status = await daemon.RawAsync("status", "--socket", socket);
            Assert.Equal(0, status.ExitCode);

            process.Kill(entireProcessTree: false);
            string log = await process.StandardOutput.ReadToEndAsync().WaitAsync(Daemon.CommandTimeout);
            Assert.Contains("'SocketPth' is not a setting of mcpzero", log);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
