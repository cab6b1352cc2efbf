using System.Text;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>The batch frame: responses in request order, errors per item, and the size limit.</summary>
public sealed class BatchTests
{
    [Fact]
    public async Task BatchKeepsRequestOrder()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");
        await using McpZeroClient client = await daemon.ConnectAsync();

        IResponse[] responses = await client.SendBatchAsync(
        [
            new AgentExecRequest { AgentId = agentId, Method = "echo", Input = "first"u8.ToArray() },
            new StatusRequest(),
            new AgentShowRequest { AgentId = agentId },
            new PluginListRequest(),
            new AgentExecRequest { AgentId = agentId, Method = "echo", Input = "last"u8.ToArray() },
        ]).WaitAsync(Daemon.CommandTimeout);

        Assert.Equal(5, responses.Length);
        Assert.Equal("first", Encoding.UTF8.GetString(Assert.IsType<ExecResponse>(responses[0]).Output));
        Assert.IsType<StatusResponse>(responses[1]);
        Assert.Equal(agentId, Assert.IsType<AgentInfo>(responses[2]).AgentId);
        Assert.Contains(Assert.IsType<PluginListResponse>(responses[3]).Plugins, plugin => plugin.Name == "misbehave");
        Assert.Equal("last", Encoding.UTF8.GetString(Assert.IsType<ExecResponse>(responses[4]).Output));
    }

    [Fact]
    public async Task BatchReportsErrorsPerItem()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");
        await using McpZeroClient client = await daemon.ConnectAsync();

        IResponse[] responses = await client.SendBatchAsync(
        [
            new AgentShowRequest { AgentId = "a-missing" },
            new AgentExecRequest { AgentId = agentId, Method = "echo", Input = "ok"u8.ToArray() },
            new AgentExecRequest { AgentId = agentId, Method = "trap" },
            new PluginShowRequest { Name = "no-such-plugin" },
        ]).WaitAsync(Daemon.CommandTimeout);

        Assert.Equal(ErrorCode.AgentNotFound, Assert.IsType<ErrorResponse>(responses[0]).Code);
        Assert.Equal("ok", Encoding.UTF8.GetString(Assert.IsType<ExecResponse>(responses[1]).Output));
        Assert.Equal(ErrorCode.PluginTrap, Assert.IsType<ErrorResponse>(responses[2]).Code);
        Assert.Equal(ErrorCode.PluginNotFound, Assert.IsType<ErrorResponse>(responses[3]).Code);
    }

    [Fact]
    public async Task BatchRejectsUnbatchableItems()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await using McpZeroClient client = await daemon.ConnectAsync();

        IResponse[] responses = await client.SendBatchAsync(
        [
            new HelloRequest { ClientName = "inner" },
            new BatchRequest { Requests = [new StatusRequest()] },
            new StatusRequest(),
            new CancelRequest { RequestId = 1 },
        ]).WaitAsync(Daemon.CommandTimeout);

        ErrorResponse hello = Assert.IsType<ErrorResponse>(responses[0]);
        Assert.Equal(ErrorCode.BadRequest, hello.Code);
        Assert.Contains("cannot be batched", hello.Message);
        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<ErrorResponse>(responses[1]).Code);
        Assert.IsType<StatusResponse>(responses[2]);
        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<ErrorResponse>(responses[3]).Code);
    }

    [Fact]
    public async Task BatchOverLimitIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await using McpZeroClient client = await daemon.ConnectAsync();
        IRequest[] requests = [.. Enumerable.Range(0, BatchRequest.MaxRequests + 1).Select(_ => (IRequest)new StatusRequest())];

        McpZeroServerException refused = await Assert.ThrowsAsync<McpZeroServerException>(
            () => client.SendBatchAsync(requests).WaitAsync(Daemon.CommandTimeout));

        Assert.Equal(ErrorCode.BadRequest, refused.Code);
        Assert.Contains($"at most {BatchRequest.MaxRequests}", refused.Message);
        IResponse[] atLimit = await client.SendBatchAsync(requests[..BatchRequest.MaxRequests]).WaitAsync(Daemon.CommandTimeout);
        Assert.All(atLimit, response => Assert.IsType<StatusResponse>(response));
    }

    [Fact]
    public async Task BatchOf64ExecsRuns()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));

        // One agent runs one call at a time and queues at most MaxQueuedPerAgent (16), so the 64
        // calls are spread over 8 agents.
        var agents = new List<string>();
        for (int i = 0; i < 8; i++)
        {
            agents.Add(await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave"));
        }

        await using McpZeroClient client = await daemon.ConnectAsync();
        IRequest[] requests = [.. Enumerable.Range(0, 64).Select(i => (IRequest)new AgentExecRequest
        {
            AgentId = agents[i % agents.Count],
            Method = "echo",
            Input = Encoding.UTF8.GetBytes($"call {i}"),
        })];

        IResponse[] responses = await client.SendBatchAsync(requests).WaitAsync(Daemon.CommandTimeout);

        Assert.Equal(64, responses.Length);
        for (int i = 0; i < responses.Length; i++)
        {
            ExecResponse exec = Assert.IsType<ExecResponse>(responses[i]);
            Assert.Equal($"call {i}", Encoding.UTF8.GetString(exec.Output));
        }

        StatsResponse stats = await client.RequestAsync<StatsResponse>(new StatsRequest()).WaitAsync(Daemon.CommandTimeout);
        Assert.Equal(64, stats.Requests.Single(request => request.MessageType == MessageTypes.AgentExec).Latency.Count);
    }
}
