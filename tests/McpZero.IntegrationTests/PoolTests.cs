using System.Text;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Agent pools through the CLI and the client library, against the AOT binary.</summary>
public sealed class PoolTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LeaseSpawnsUnderMaxThenRejectsAtMax()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "workers", "--size", "2", "--max", "3", "--plugin", "hello");
        await using McpZeroClient client = await daemon.ConnectAsync();
        var pool = new AgentPool(client, "workers") { LeaseWait = TimeSpan.Zero };
        using var timeout = new CancellationTokenSource(CallTimeout);

        PooledAgent first = await pool.GetAsync(timeout.Token);
        PooledAgent second = await pool.GetAsync(timeout.Token);
        PooledAgent third = await pool.GetAsync(timeout.Token);
        Assert.Equal(3, new[] { first.AgentId, second.AgentId, third.AgentId }.Distinct().Count());

        McpZeroServerException busy = await Assert.ThrowsAsync<McpZeroServerException>(async () => await pool.GetAsync(timeout.Token));
        Assert.Equal(ErrorCode.Busy, busy.Code);
        Assert.Contains("pool 'workers'", busy.Message);
        Assert.Contains("all 3 agents", busy.Message);

        PoolInfo info = await pool.ShowAsync(timeout.Token);
        Assert.Equal(3, info.LeasedAgents.Length);
        Assert.Empty(info.ReadyAgents);
    }

    [Fact]
    public async Task WaitingLeaseGetsReturnedAgent()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "single", "--size", "1", "--max", "1", "--plugin", "hello");
        await using McpZeroClient holder = await daemon.ConnectAsync();
        await using McpZeroClient waiter = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);

        PooledAgent heldAgent = await new AgentPool(holder, "single").GetAsync(timeout.Token);
        var waitingPool = new AgentPool(waiter, "single") { LeaseWait = CallTimeout };
        Task<PooledAgent> waiting = waitingPool.GetAsync(timeout.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        await heldAgent.ReturnAsync(cancellationToken: timeout.Token);
        PooledAgent handedOver = await waiting.WaitAsync(timeout.Token);

        Assert.Equal(heldAgent.AgentId, handedOver.AgentId);
    }

    [Fact]
    public async Task ReturnResetsAgentToTemplate()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("data_processing"));
        await daemon.OkAsync("pool", "create", "greeters", "--size", "1", "--max", "1", "--plugin", "hello", "--config", "greeting=Hi");
        await using McpZeroClient client = await daemon.ConnectAsync();
        var pool = new AgentPool(client, "greeters");
        using var timeout = new CancellationTokenSource(CallTimeout);

        string agentId;
        await using (PooledAgent agent = await pool.GetAsync(timeout.Token))
        {
            agentId = agent.AgentId;
            Assert.Equal("Hi, Ada! (greeting #1)", await GreetAsync(agent, "Ada", timeout.Token));
            Assert.Equal("Hi, Ada! (greeting #2)", await GreetAsync(agent, "Ada", timeout.Token));
            await daemon.OkAsync("agent", "attach", agent.AgentId, "data_processing");
        }

        string shownJson = await daemon.OkAsync("agent", "show", agentId, "--json");
        using (var document = System.Text.Json.JsonDocument.Parse(shownJson))
        {
            Assert.Equal(0, document.RootElement.GetProperty("variables").GetArrayLength());
            Assert.Equal("hello", document.RootElement.GetProperty("plugins")[0].GetString());
            Assert.Equal(1, document.RootElement.GetProperty("plugins").GetArrayLength());
            Assert.Equal("Hi", document.RootElement.GetProperty("config").GetProperty("greeting").GetString());
        }

        await using PooledAgent again = await pool.GetAsync(timeout.Token);
        Assert.Equal(agentId, again.AgentId);
        Assert.Equal("Hi, Grace! (greeting #1)", await GreetAsync(again, "Grace", timeout.Token));
    }

    [Fact]
    public async Task KeepStateKeepsVariables()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "greeters", "--size", "1", "--max", "1", "--plugin", "hello");

        string first = await daemon.OkAsync("pool", "lease", "greeters", "--exec", "greet", "--input", "Ada", "--keep-state");
        string second = await daemon.OkAsync("pool", "lease", "greeters", "--exec", "greet", "--input", "Ada");
        string third = await daemon.OkAsync("pool", "lease", "greeters", "--exec", "greet", "--input", "Ada");

        Assert.Equal("Hello, Ada! (greeting #1)", first);
        Assert.Equal("Hello, Ada! (greeting #2)", second);
        Assert.Equal("Hello, Ada! (greeting #1)", third);
    }

    [Fact]
    public async Task ClosedConnectionReturnsItsLease()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "single", "--size", "1", "--max", "1", "--plugin", "hello");
        using var timeout = new CancellationTokenSource(CallTimeout);

        string agentId;
        await using (McpZeroClient first = await daemon.ConnectAsync())
        {
            PooledAgent agent = await new AgentPool(first, "single").GetAsync(timeout.Token);
            agentId = agent.AgentId;
            Assert.Equal("Hello, Ada! (greeting #1)", await GreetAsync(agent, "Ada", timeout.Token));
        }

        // The daemon returns the lease after it reads the end of the connection, so this lease waits for it.
        await using McpZeroClient second = await daemon.ConnectAsync();
        var pool = new AgentPool(second, "single") { LeaseWait = CallTimeout };
        await using PooledAgent returned = await pool.GetAsync(timeout.Token);

        Assert.Equal(agentId, returned.AgentId);
        Assert.Equal("Hello, Ada! (greeting #1)", await GreetAsync(returned, "Ada", timeout.Token));
    }

    [Fact]
    public async Task RestartKeepsPoolAndItsAgents()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "durable", "--size", "2", "--max", "4", "--plugin", "hello", "--owner", "ops", "--memory-mb", "16");
        PoolInfo before = await ShowAsync(daemon, "durable");
        Assert.Equal(2, before.ReadyAgents.Length);

        Assert.Equal(0, await daemon.StopAsync());
        await daemon.RestartAsync();

        PoolInfo after = await ShowAsync(daemon, "durable");
        Assert.Equal(2, after.Size);
        Assert.Equal(4, after.Max);
        Assert.Equal("ops", after.Owner);
        Assert.Equal(16, after.Constraints.MemoryMb);
        Assert.Equal(["hello"], after.Plugins);
        Assert.Equal(before.ReadyAgents.Order(), after.ReadyAgents.Order());
        Assert.Empty(after.LeasedAgents);

        string output = await daemon.OkAsync("pool", "lease", "durable", "--exec", "greet", "--input", "Ada");
        Assert.Equal("Hello, Ada! (greeting #1)", output);
    }

    [Fact]
    public async Task RemoveRejectedWhileLeasedUnlessForced()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "busy", "--size", "1", "--plugin", "hello");
        await using McpZeroClient client = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        PooledAgent leased = await new AgentPool(client, "busy").GetAsync(timeout.Token);

        CliResult rejected = await daemon.CliAsync("pool", "remove", "busy");
        Assert.Equal(1, rejected.ExitCode);
        Assert.Contains("leased", rejected.Stderr);
        Assert.Contains(leased.AgentId, rejected.Stderr);
        Assert.Contains("(Conflict)", rejected.Stderr);

        string removed = await daemon.OkAsync("pool", "remove", "busy", "--force");
        Assert.Contains("removed pool 'busy'", removed);

        string agents = await daemon.OkAsync("agent", "list");
        Assert.DoesNotContain(leased.AgentId, agents);
        McpZeroServerException returnError = await Assert.ThrowsAsync<McpZeroServerException>(async () => await leased.ReturnAsync(cancellationToken: timeout.Token));
        Assert.Equal(ErrorCode.PoolNotFound, returnError.Code);
    }

    [Fact]
    public async Task ReturnOfAgentNotLeasedIsRejected()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "left", "--size", "1", "--max", "2", "--plugin", "hello");
        await daemon.OkAsync("pool", "create", "right", "--size", "1", "--max", "2", "--plugin", "hello");
        PoolInfo right = await ShowAsync(daemon, "right");
        await using McpZeroClient client = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        PooledAgent leftAgent = await new AgentPool(client, "left").GetAsync(timeout.Token);

        CliResult ready = await daemon.CliAsync("pool", "return", "right", right.ReadyAgents[0]);
        Assert.Equal(1, ready.ExitCode);
        Assert.Contains("is not leased", ready.Stderr);

        CliResult wrongPool = await daemon.CliAsync("pool", "return", "right", leftAgent.AgentId);
        Assert.Equal(1, wrongPool.ExitCode);
        Assert.Contains("belongs to pool 'left'", wrongPool.Stderr);

        CliResult missingPool = await daemon.CliAsync("pool", "return", "nosuch", leftAgent.AgentId);
        Assert.Equal(1, missingPool.ExitCode);
        Assert.Contains("(PoolNotFound)", missingPool.Stderr);

        string returned = await daemon.OkAsync("pool", "return", "left", leftAgent.AgentId);
        Assert.Contains("reset to the pool's template", returned);
    }

    [Fact]
    public async Task CreateRejectsInvalidDefinitions()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "taken", "--size", "0", "--plugin", "hello");

        CliResult duplicate = await daemon.CliAsync("pool", "create", "taken", "--size", "1", "--plugin", "hello");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("(AlreadyExists)", duplicate.Stderr);

        CliResult maxBelowSize = await daemon.CliAsync("pool", "create", "small", "--size", "3", "--max", "2", "--plugin", "hello");
        Assert.Equal(1, maxBelowSize.ExitCode);
        Assert.Contains("pool max 2 is out of range", maxBelowSize.Stderr);

        CliResult missingPlugin = await daemon.CliAsync("pool", "create", "ghost", "--size", "1", "--plugin", "nosuch");
        Assert.Equal(1, missingPlugin.ExitCode);
        Assert.Contains("(PluginNotFound)", missingPlugin.Stderr);

        CliResult missingSize = await daemon.CliAsync("pool", "create", "nosize", "--plugin", "hello");
        Assert.Equal(2, missingSize.ExitCode);
        Assert.Contains("missing --size", missingSize.Stderr);

        string list = await daemon.OkAsync("pool", "list");
        Assert.Contains("taken", list);
        Assert.DoesNotContain("small", list);
        Assert.DoesNotContain("ghost", list);
    }

    [Fact]
    public async Task CliLeaseEndsWhenCommandExits()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "single", "--size", "1", "--max", "1", "--plugin", "hello");

        string agentId = await daemon.OkAsync("pool", "lease", "single");
        Assert.StartsWith("a-", agentId);

        // The command has exited, so its lease is returned and a waiting lease gets the same agent.
        await using McpZeroClient client = await daemon.ConnectAsync();
        var pool = new AgentPool(client, "single") { LeaseWait = CallTimeout };
        using var timeout = new CancellationTokenSource(CallTimeout);
        await using PooledAgent agent = await pool.GetAsync(timeout.Token);
        Assert.Equal(agentId, agent.AgentId);

        string json = await daemon.OkAsync("pool", "show", "single", "--json");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(agentId, document.RootElement.GetProperty("leased_agents")[0].GetString());
        Assert.Equal(1, document.RootElement.GetProperty("max").GetInt32());
    }

    [Fact]
    public async Task TerminatedReadyAgentIsReplaced()
    {
        await using Daemon daemon = await StartWithHelloAsync();
        await daemon.OkAsync("pool", "create", "fragile", "--size", "1", "--max", "1", "--plugin", "hello");
        PoolInfo before = await ShowAsync(daemon, "fragile");
        string terminated = before.ReadyAgents[0];
        await daemon.OkAsync("agent", "terminate", terminated);

        string output = await daemon.OkAsync("pool", "lease", "fragile", "--exec", "greet", "--input", "Ada");

        Assert.Equal("Hello, Ada! (greeting #1)", output);
        PoolInfo after = await ShowAsync(daemon, "fragile");
        Assert.DoesNotContain(terminated, after.ReadyAgents);
        Assert.Single(after.ReadyAgents);
    }

    private static async Task<Daemon> StartWithHelloAsync()
    {
        Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        return daemon;
    }

    private static async Task<string> GreetAsync(PooledAgent agent, string name, CancellationToken cancellationToken)
    {
        ExecResponse result = await agent.ExecuteAsync("greet", Encoding.UTF8.GetBytes(name), cancellationToken: cancellationToken);
        return Encoding.UTF8.GetString(result.Output).Trim();
    }

    private static async Task<PoolInfo> ShowAsync(Daemon daemon, string name)
    {
        await using McpZeroClient client = await daemon.ConnectAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        return await new AgentPool(client, name).ShowAsync(timeout.Token);
    }
}
