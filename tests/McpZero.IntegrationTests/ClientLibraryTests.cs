using System.Text;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>
/// The client library's connection pool, automatic batching, retry and typed helpers against the
/// AOT binary.
/// </summary>
public sealed class ClientLibraryTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PoolOfFourRuns256ConcurrentExecs()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync(new Dictionary<string, string>
        {
            ["MCPZERO__MAXQUEUEDPERAGENT"] = "512",
            ["MCPZERO__MAXQUEUEDEXECUTIONS"] = "1024",
        });
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroConnectionPool pool = await McpZeroConnectionPool.ConnectAsync(
            daemon.SocketPath, new McpZeroClientOptions { Connections = 4, ClientName = "pool-test", AutoBatch = true }, timeout.Token);
        string[] agents = await SpawnEchoAgentsAsync(pool, 4, timeout.Token);

        Task<ExecResponse>[] calls = [.. Enumerable.Range(0, 256).Select(i => Task.Run(
            () => pool.ExecuteAsync(agents[i % agents.Length], "echo", $"call {i}", cancellationToken: timeout.Token).AsTask()))];
        ExecResponse[] results = await Task.WhenAll(calls).WaitAsync(timeout.Token);

        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal($"call {i}", Encoding.UTF8.GetString(results[i].Output));
        }

        Assert.Equal(4, pool.Size);
        Assert.Equal(4, pool.OpenConnections);
        Assert.Equal(0, pool.Reconnects);

        // The daemon may still count a CLI connection that just closed, so this is a lower bound.
        StatusResponse status = await pool.GetStatusAsync(timeout.Token);
        Assert.True(status.Connections >= 4, $"the daemon counts {status.Connections} connections");
    }

    [Fact]
    public async Task PoolReplacesConnectionsAfterRestart()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroConnectionPool pool = await McpZeroConnectionPool.ConnectAsync(
            daemon.SocketPath, new McpZeroClientOptions { Connections = 2 }, timeout.Token);
        string agentId = (await SpawnEchoAgentsAsync(pool, 1, timeout.Token))[0];

        Assert.Equal(0, await daemon.StopAsync());
        await WaitForNoOpenConnectionAsync(pool, timeout.Token);
        await daemon.RestartAsync();
        for (int i = 0; i < 4; i++)
        {
            ExecResponse result = await pool.ExecuteAsync(agentId, "echo", $"after restart {i}", cancellationToken: timeout.Token);
            Assert.Equal($"after restart {i}", Encoding.UTF8.GetString(result.Output));
        }

        Assert.Equal(2, pool.Reconnects);
        Assert.Equal(2, pool.OpenConnections);
    }

    [Fact]
    public async Task AutoBatchSendsBatchFrames()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync(new Dictionary<string, string>
        {
            ["MCPZERO__MAXQUEUEDPERAGENT"] = "512",
            ["MCPZERO__MAXQUEUEDEXECUTIONS"] = "1024",
        });
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(daemon.SocketPath, new McpZeroClientOptions { AutoBatch = true }, timeout.Token);
        string agentId = (await SpawnEchoAgentsAsync(client, 1, timeout.Token))[0];

        // Batches form only when a request arrives while another is being written, which depends on
        // thread scheduling, so up to 100 rounds of 256 concurrent calls run until one formed.
        for (int round = 0; round < 100 && client.BatchFramesSent == 0; round++)
        {
            Task<ExecResponse>[] calls = [.. Enumerable.Range(0, 256).Select(i => Task.Run(
                () => client.ExecuteAsync(agentId, "echo", $"round {round} call {i}", cancellationToken: timeout.Token).AsTask()))];
            ExecResponse[] results = await Task.WhenAll(calls).WaitAsync(timeout.Token);
            for (int i = 0; i < results.Length; i++)
            {
                Assert.Equal($"round {round} call {i}", Encoding.UTF8.GetString(results[i].Output));
            }
        }

        Assert.True(client.BatchFramesSent > 0, "no batch frame formed in 100 rounds of 256 concurrent calls");
        StatsResponse stats = await ReadStatsUntilAsync(client, stats => BatchCount(stats) >= client.BatchFramesSent, timeout.Token);
        Assert.Equal(client.BatchFramesSent, BatchCount(stats));
    }

    [Fact]
    public async Task NoBatchFramesWhenAutoBatchOff()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync(new Dictionary<string, string>
        {
            ["MCPZERO__MAXQUEUEDPERAGENT"] = "512",
            ["MCPZERO__MAXQUEUEDEXECUTIONS"] = "1024",
        });
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(daemon.SocketPath, new McpZeroClientOptions { AutoBatch = false }, timeout.Token);
        string agentId = (await SpawnEchoAgentsAsync(client, 1, timeout.Token))[0];

        Task<ExecResponse>[] calls = [.. Enumerable.Range(0, 256).Select(i => Task.Run(
            () => client.ExecuteAsync(agentId, "echo", $"call {i}", cancellationToken: timeout.Token).AsTask()))];
        await Task.WhenAll(calls).WaitAsync(timeout.Token);

        StatsResponse stats = await client.GetStatsAsync(timeout.Token);
        Assert.Equal(0, BatchCount(stats));
        Assert.Equal(0, client.BatchFramesSent);
    }

    [Fact]
    public async Task RetrySucceedsAfterBusy()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync(BusyEnvironment);
        using var timeout = new CancellationTokenSource(CallTimeout);
        var options = new McpZeroClientOptions
        {
            Retry = new McpZeroRetryPolicy { MaxAttempts = 1000, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(100) },
        };
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(daemon.SocketPath, options, timeout.Token);
        string agentId = await SpawnSpinnerAsync(client, timeoutMs: 1500, timeout.Token);
        Task<IResponse> spinning = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }, timeout.Token).AsTask();
        await WaitForRunningAsync(client, timeout.Token);

        // One call runs and one may wait, so at least six of these eight get Busy at first.
        Task<ExecResponse>[] calls = [.. Enumerable.Range(0, 8).Select(i =>
            client.ExecuteAsync(agentId, "echo", $"retried {i}", cancellationToken: timeout.Token).AsTask())];
        ExecResponse[] results = await Task.WhenAll(calls).WaitAsync(timeout.Token);

        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal($"retried {i}", Encoding.UTF8.GetString(results[i].Output));
        }

        Assert.Equal(ErrorCode.PluginTimeout, Assert.IsType<ErrorResponse>(await spinning.WaitAsync(timeout.Token)).Code);
        StatsResponse stats = await client.GetStatsAsync(timeout.Token);
        Assert.True(ErrorCount(stats, ErrorCode.Busy) >= 6, $"the daemon sent {ErrorCount(stats, ErrorCode.Busy)} Busy errors");
    }

    [Fact]
    public async Task RetryGivesUpWithBusy()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync(BusyEnvironment);
        using var timeout = new CancellationTokenSource(CallTimeout);
        var options = new McpZeroClientOptions
        {
            Retry = new McpZeroRetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        };
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(daemon.SocketPath, options, timeout.Token);
        string agentId = await SpawnSpinnerAsync(client, timeoutMs: 30_000, timeout.Token);
        _ = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }, timeout.Token).AsTask();
        await WaitForRunningAsync(client, timeout.Token);
        _ = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }, timeout.Token).AsTask();
        await WaitForQueuedAsync(client, timeout.Token);

        McpZeroServerException busy = await Assert.ThrowsAsync<McpZeroServerException>(
            async () => await client.ExecuteAsync(agentId, "echo", "never runs", cancellationToken: timeout.Token));

        Assert.Equal(ErrorCode.Busy, busy.Code);
        Assert.Contains("MaxQueuedPerAgent=1", busy.Message);
        Assert.NotNull(busy.RetryAfter);
        StatsResponse stats = await client.GetStatsAsync(timeout.Token);
        Assert.Equal(3, ErrorCount(stats, ErrorCode.Busy));
    }

    [Fact]
    public async Task CancelStopsWaitForReply()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync(BusyEnvironment);
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(daemon.SocketPath, new McpZeroClientOptions(), timeout.Token);
        string agentId = await SpawnSpinnerAsync(client, timeoutMs: 30_000, timeout.Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        ValueTask<ExecResponse> spinning = client.ExecuteAsync(agentId, "spin", "", cancellationToken: cancel.Token);
        await WaitForRunningAsync(client, timeout.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await spinning);
        Assert.True(client.IsConnected);
        StatusResponse status = await client.GetStatusAsync(timeout.Token);
        Assert.Equal(1, status.Agents);
    }

    [Fact]
    public async Task CancelStopsRetryBackoff()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        var options = new McpZeroClientOptions
        {
            Connections = 1,

            // At least 10 minutes between attempts, so only the token can end the wait.
            Retry = new McpZeroRetryPolicy { MaxAttempts = 5, BaseDelay = TimeSpan.FromMinutes(20), MaxDelay = TimeSpan.FromMinutes(20) },
        };
        await using McpZeroConnectionPool pool = await McpZeroConnectionPool.ConnectAsync(daemon.SocketPath, options, timeout.Token);
        Assert.Equal(0, await daemon.StopAsync());
        await WaitForNoOpenConnectionAsync(pool, timeout.Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        Task<StatusResponse> retrying = pool.GetStatusAsync(cancel.Token).AsTask();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retrying.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task SeedApiShapesWork()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroClient client = await McpZeroClient.ConnectAsync(daemon.SocketPath, new McpZeroClientOptions(), timeout.Token);
        PluginInfo plugin = await client.InstallPluginAsync(await File.ReadAllBytesAsync(TestPaths.Plugin("data_processing"), timeout.Token), "data_processing", cancellationToken: timeout.Token);
        Assert.Contains("process", plugin.Exports);

        AgentPool pool = await AgentPool.CreateAsync(client, "workers", size: 2, ["data_processing"], cancellationToken: timeout.Token);
        PooledAgent agent = await pool.GetAsync(timeout.Token);
        ExecResponse result = await agent.ExecuteAsync("process", """[{"t":1},{"t":3}]"""u8.ToArray(), cancellationToken: timeout.Token);
        Assert.Contains("\"records\":2", Encoding.UTF8.GetString(result.Output));
        await pool.ReturnAsync(agent, cancellationToken: timeout.Token);
        Assert.True(agent.IsReturned);
        PoolInfo[] pools = await client.ListPoolsAsync(timeout.Token);
        Assert.Equal(2, Assert.Single(pools).ReadyAgents.Length);

        McpZeroDatabase db = client.Db;
        DbDocumentsResponse found = await db.Agents.FindAsync(new DbFilter().Equal("status", "active"), ["agent_id"], cancellationToken: timeout.Token);
        Assert.Equal(2, found.Documents.Length);
        string[] traceIds = await db.Traces.InsertManyAsync(["""{"agent_id":"a-x","method":"m1"}""", """{"agent_id":"a-x","method":"m2"}"""], timeout.Token);
        Assert.Equal(2, traceIds.Length);
        DbIndexInfo[] indexes = await db.Resources.CreateIndexAsync("capabilities", timeout.Token);
        Assert.Contains(indexes, index => index.Collection == "resources" && index.Field == "capabilities");
    }

    [Fact]
    public async Task TypedHelpersCoverAgentLife()
    {
        await using Daemon daemon = await StartWithMisbehaveAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using McpZeroConnectionPool pool = await McpZeroConnectionPool.ConnectAsync(daemon.SocketPath, new McpZeroClientOptions { Connections = 2 }, timeout.Token);
        await pool.InstallPluginAsync(await File.ReadAllBytesAsync(TestPaths.Plugin("hello"), timeout.Token), "hello", cancellationToken: timeout.Token);

        AgentInfo agent = await pool.SpawnAgentAsync("ada", ["hello"], new AgentConstraints { TimeoutMs = 2000 }, cancellationToken: timeout.Token);
        Assert.Equal("Hello, Ada! (greeting #1)", Encoding.UTF8.GetString((await pool.ExecuteAsync(agent.AgentId, "greet", "Ada", cancellationToken: timeout.Token)).Output));
        SnapshotResponse snapshot = await pool.SnapshotAgentAsync(agent.AgentId, timeout.Token);
        Assert.Equal("Hello, Ada! (greeting #2)", Encoding.UTF8.GetString((await pool.ExecuteAsync(agent.AgentId, "greet", "Ada", cancellationToken: timeout.Token)).Output));
        await pool.RecoverAgentAsync(snapshot.SnapshotId, timeout.Token);
        Assert.Equal("Hello, Ada! (greeting #2)", Encoding.UTF8.GetString((await pool.ExecuteAsync(agent.AgentId, "greet", "Ada", cancellationToken: timeout.Token)).Output));
        await pool.AttachPluginAsync(agent.AgentId, "misbehave", timeout.Token);
        Assert.Equal(["hello", "misbehave"], (await pool.GetAgentAsync(agent.AgentId, timeout.Token)).Plugins);

        TraceInfo[] traces = await pool.ListTracesAsync(agent.AgentId, cancellationToken: timeout.Token);
        Assert.Equal(3, traces.Length);
        Assert.All(traces, trace => Assert.Equal("greet", trace.Method));
        TraceVerifyResponse verified = await pool.VerifyTracesAsync(cancellationToken: timeout.Token);
        Assert.True(verified.Ok, verified.Message);
        Assert.Equal(2, (await pool.ListPluginsAsync(timeout.Token)).Length);
        Assert.Equal("hello", (await pool.GetPluginAsync("hello", timeout.Token)).Name);
        StatsResponse stats = await ReadStatsUntilAsync(pool, stats => ExecCount(stats) >= 3, timeout.Token);
        Assert.Equal(3, ExecCount(stats));

        await pool.DeleteSnapshotAsync(snapshot.SnapshotId, timeout.Token);
        await pool.TerminateAgentAsync(agent.AgentId, timeout.Token);
        Assert.Equal("terminated", (await pool.GetAgentAsync(agent.AgentId, timeout.Token)).Status);
        Assert.Equal("terminated", Assert.Single(await pool.ListAgentsAsync(timeout.Token)).Status);
        McpZeroServerException missing = await Assert.ThrowsAsync<McpZeroServerException>(async () => await pool.GetAgentAsync("a-000000000000", timeout.Token));
        Assert.Equal(ErrorCode.AgentNotFound, missing.Code);
    }

    private static readonly IReadOnlyDictionary<string, string> BusyEnvironment = new Dictionary<string, string>
    {
        ["MCPZERO__MAXQUEUEDPERAGENT"] = "1",
        ["MCPZERO__CPUBUDGETPERCENT"] = "400",
    };

    private static async Task<Daemon> StartWithMisbehaveAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        Daemon daemon = await Daemon.StartAsync(environment: environment);
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        return daemon;
    }

    private static async Task<string[]> SpawnEchoAgentsAsync(IMcpZeroClient client, int count, CancellationToken cancellationToken)
    {
        var agents = new string[count];
        for (int i = 0; i < count; i++)
        {
            agents[i] = (await client.SpawnAgentAsync("echo", ["misbehave"], cancellationToken: cancellationToken)).AgentId;
        }

        return agents;
    }

    private static async Task<string> SpawnSpinnerAsync(IMcpZeroClient client, int timeoutMs, CancellationToken cancellationToken)
    {
        var constraints = new AgentConstraints { TimeoutMs = timeoutMs, Fuel = 1_000_000_000_000_000 };
        AgentInfo agent = await client.SpawnAgentAsync("spinner", ["misbehave"], constraints, cancellationToken: cancellationToken);
        return agent.AgentId;
    }

    private static async Task WaitForRunningAsync(IMcpZeroClient client, CancellationToken cancellationToken)
    {
        while ((await client.GetStatsAsync(cancellationToken)).ExecutionsRunning == 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private static async Task WaitForQueuedAsync(IMcpZeroClient client, CancellationToken cancellationToken)
    {
        while ((await client.GetStatsAsync(cancellationToken)).ExecutionsQueued == 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private static async Task WaitForNoOpenConnectionAsync(McpZeroConnectionPool pool, CancellationToken cancellationToken)
    {
        while (pool.OpenConnections > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// Reads the daemon's stats until <paramref name="condition"/> is true, at most 100 times. The
    /// daemon records a request's latency after it sent the response, so a count may lag the
    /// client by one request.
    /// </summary>
    private static async Task<StatsResponse> ReadStatsUntilAsync(IMcpZeroClient client, Func<StatsResponse, bool> condition, CancellationToken cancellationToken)
    {
        StatsResponse stats = await client.GetStatsAsync(cancellationToken);
        for (int read = 1; read < 100 && !condition(stats); read++)
        {
            await Task.Delay(20, cancellationToken);
            stats = await client.GetStatsAsync(cancellationToken);
        }

        return stats;
    }

    private static long ExecCount(StatsResponse stats) =>
        stats.Requests.FirstOrDefault(request => request.MessageType == MessageTypes.AgentExec)?.Latency.Count ?? 0;

    private static long BatchCount(StatsResponse stats) =>
        stats.Requests.FirstOrDefault(request => request.MessageType == MessageTypes.Batch)?.Latency.Count ?? 0;

    private static long ErrorCount(StatsResponse stats, ErrorCode code) =>
        stats.Errors.FirstOrDefault(error => error.Code == code)?.Count ?? 0;
}
