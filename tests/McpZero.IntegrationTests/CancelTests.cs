using System.Text;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Cancel requests: a client's cancellation stops the request on the daemon too.</summary>
public sealed class CancelTests
{
    [Fact]
    public async Task ClientCancelStopsSpinningExec()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));

        // The call's own deadline is 5 minutes away, past every wait in this test, so only the
        // cancel can end it in time.
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "300000", "--fuel", "1000000000000000000");
        await using McpZeroClient client = await daemon.ConnectAsync();
        using var cancellation = new CancellationTokenSource();
        Task<IResponse> spinning = client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "spin" }, cancellation.Token).AsTask();
        await WaitUntilRunningAsync(client);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spinning.WaitAsync(Daemon.CommandTimeout));

        // The agent runs one call at a time, so this echo completes only after the spin stopped.
        ExecResponse echo = await client.RequestAsync<ExecResponse>(
            new AgentExecRequest { AgentId = agentId, Method = "echo", Input = "after"u8.ToArray() }).WaitAsync(Daemon.CommandTimeout);
        Assert.Equal("after", Encoding.UTF8.GetString(echo.Output));
        TraceListResponse traces = await client.RequestAsync<TraceListResponse>(
            new TraceListRequest { AgentId = agentId, Limit = 10 }).WaitAsync(Daemon.CommandTimeout);
        TraceInfo spin = Assert.Single(traces.Records, record => record.Method == "spin");
        Assert.Equal(ErrorCode.Cancelled, spin.Status);
    }

    [Fact]
    public async Task CancelFrameGetsOkAndCancelledReply()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave", "--timeout-ms", "300000", "--fuel", "1000000000000000000");
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon);
        await using RawConnection raw = connection;

        await raw.SendAsync(RawConnection.Frame(5, new AgentExecRequest { AgentId = agentId, Method = "spin" }));
        await raw.SendAsync(RawConnection.Frame(6, new CancelRequest { RequestId = 5 }));

        var replies = new Dictionary<uint, IResponse>();
        for (int i = 0; i < 2; i++)
        {
            (FrameHeader header, IResponse response) = await raw.ReadAsync();
            replies[header.RequestId] = response;
        }

        Assert.Contains("cancelling request 5", Assert.IsType<OkResponse>(replies[6]).Message);
        ErrorResponse cancelled = Assert.IsType<ErrorResponse>(replies[5]);
        Assert.Equal(ErrorCode.Cancelled, cancelled.Code);
        Assert.Contains("cancel", cancelled.Message);
    }

    [Fact]
    public async Task CancelOfUnknownRequestGetsOk()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        (RawConnection connection, _) = await RawConnection.ConnectWithHelloAsync(daemon);
        await using RawConnection raw = connection;

        await raw.SendAsync(RawConnection.Frame(2, new CancelRequest { RequestId = 99 }));

        (FrameHeader header, IResponse response) = await raw.ReadAsync();
        Assert.Equal(2u, header.RequestId);
        Assert.Contains("not in flight", Assert.IsType<OkResponse>(response).Message);
        await raw.SendAsync(RawConnection.Frame(3, new StatusRequest()));
        Assert.IsType<StatusResponse>((await raw.ReadAsync()).Response);
    }

    // Polls the daemon's statistics until the spin occupies an execution slot, so the cancel
    // interrupts a running call and not one still waiting in the queue.
    private static async Task WaitUntilRunningAsync(McpZeroClient client)
    {
        using var deadline = new CancellationTokenSource(Daemon.CommandTimeout);
        while (true)
        {
            StatsResponse stats = await client.RequestAsync<StatsResponse>(new StatsRequest(), deadline.Token).WaitAsync(Daemon.CommandTimeout);
            if (stats.ExecutionsRunning > 0)
            {
                return;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
