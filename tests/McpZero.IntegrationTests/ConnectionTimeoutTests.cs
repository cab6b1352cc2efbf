using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Slow and idle connections are closed without affecting other clients.</summary>
public sealed class ConnectionTimeoutTests
{
    [Fact]
    public async Task SlowFrameClosesOnlyThatConnection()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__FRAMEREADTIMEOUTSECONDS"] = "1" });
        await using McpZeroClient healthy = await daemon.ConnectAsync();
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon);
        await using RawConnection slow = connection;
        byte[] frame = RawConnection.Frame(2, new StatusRequest());

        // Half a header, then nothing: the frame never completes.
        await slow.SendAsync(frame[..8]);
        Task<(FrameHeader Header, IResponse Response)> notice = slow.ReadAsync();
        int healthyReplies = 0;
        while (!notice.IsCompleted)
        {
            await healthy.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
            healthyReplies++;
            await Task.WhenAny(notice, Task.Delay(50));
        }

        (FrameHeader header, IResponse response) = await notice;
        Assert.Equal(0u, header.RequestId);
        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.Equal(ErrorCode.ConnectionTimedOut, error.Code);
        Assert.Contains("FrameReadTimeoutSeconds", error.Message);
        await slow.AssertClosedAsync();
        Assert.True(healthyReplies > 0);
        await healthy.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(Daemon.CommandTimeout);
        Assert.True(await LogContainsAsync(daemon, "a frame stayed incomplete"), daemon.Log);
    }

    [Fact]
    public async Task IdleConnectionIsClosed()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__IDLECONNECTIONTIMEOUTSECONDS"] = "1" });
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon);
        await using RawConnection idle = connection;

        (FrameHeader header, IResponse response) = await idle.ReadAsync();

        Assert.Equal(0u, header.RequestId);
        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.Equal(ErrorCode.ConnectionTimedOut, error.Code);
        Assert.Contains("IdleConnectionTimeoutSeconds", error.Message);
        await idle.AssertClosedAsync();
        Assert.True(await LogContainsAsync(daemon, "idle for 1 s"), daemon.Log);
    }

    [Fact]
    public async Task IdleTimeoutSparesRequestInFlight()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__IDLECONNECTIONTIMEOUTSECONDS"] = "1" });
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));

        // The spin runs into its 3 s deadline, three idle timeouts long, and its reply still arrives.
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "3000", "--fuel", "1000000000000000000");
        await using McpZeroClient client = await daemon.ConnectAsync();

        IResponse response = await client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }).WaitAsync(Daemon.CommandTimeout);

        Assert.Equal(ErrorCode.PluginTimeout, Assert.IsType<ErrorResponse>(response).Code);
    }

    [Fact]
    public async Task ClosedIdleConnectionsFreeConnectionSlots()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["MCPZERO__MAXCONNECTIONS"] = "2",
            ["MCPZERO__IDLECONNECTIONTIMEOUTSECONDS"] = "2",
        });
        await using RawConnection first = await ConnectWhenFreeAsync(daemon);
        await using RawConnection second = await ConnectWhenFreeAsync(daemon);

        CliResult full = await daemon.CliAsync("status");
        (_, IResponse firstNotice) = await first.ReadAsync();
        (_, IResponse secondNotice) = await second.ReadAsync();
        await first.AssertClosedAsync();
        await second.AssertClosedAsync();

        Assert.Equal(1, full.ExitCode);
        Assert.Contains("Busy", full.Stderr);
        Assert.Equal(ErrorCode.ConnectionTimedOut, Assert.IsType<ErrorResponse>(firstNotice).Code);
        Assert.Equal(ErrorCode.ConnectionTimedOut, Assert.IsType<ErrorResponse>(secondNotice).Code);
        CliResult freed = await RetryWhileBusyAsync(() => daemon.CliAsync("status"));
        Assert.Equal(0, freed.ExitCode);
    }

    // The console logger writes on its own thread, so a line can reach the log after the event.
    private static async Task<bool> LogContainsAsync(Daemon daemon, string text)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (daemon.Log.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    // The daemon counts a closed connection as open until its clean-up ends, which can lag the
    // end of stream that the client reads, so a new connection may briefly get Busy.
    private static async Task<RawConnection> ConnectWhenFreeAsync(Daemon daemon)
    {
        for (int attempt = 0; ; attempt++)
        {
            RawConnection connection = await RawConnection.ConnectAsync(daemon);
            await connection.SendAsync(RawConnection.Frame(1, new HelloRequest { ClientName = "raw-test" }));
            if ((await connection.ReadAsync()).Response is HelloResponse)
            {
                return connection;
            }

            await connection.DisposeAsync();
            Assert.True(attempt < 50, "the daemon stayed full");
            await Task.Delay(100);
        }
    }

    private static async Task<CliResult> RetryWhileBusyAsync(Func<Task<CliResult>> run)
    {
        for (int attempt = 0; ; attempt++)
        {
            CliResult result = await run();
            if (result.ExitCode == 0 || !result.Stderr.Contains("Busy", StringComparison.Ordinal) || attempt >= 50)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }
}
