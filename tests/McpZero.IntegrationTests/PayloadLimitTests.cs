using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Per-type payload limits from the PayloadLimits configuration section.</summary>
public sealed class PayloadLimitTests
{
    [Fact]
    public async Task ExecOverLimitGetsPayloadTooLarge()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__PAYLOADLIMITS__AGENTEXEC"] = "2048" });
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "misbehave");
        await using McpZeroClient client = await daemon.ConnectAsync();

        IResponse over = await client.SendAsync(new AgentExecRequest { AgentId = agentId, Method = "echo", Input = new byte[4096] }).WaitAsync(Daemon.CommandTimeout);
        ExecResponse under = await client.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agentId, Method = "echo", Input = new byte[1024] }).WaitAsync(Daemon.CommandTimeout);

        ErrorResponse error = Assert.IsType<ErrorResponse>(over);
        Assert.Equal(ErrorCode.PayloadTooLarge, error.Code);
        Assert.Contains("AgentExec", error.Message);
        Assert.Contains("limit of 2048 bytes", error.Message);
        Assert.Contains("PayloadLimits:AgentExec", error.Message);
        Assert.Equal(1024, under.Output.Length);
    }

    [Fact]
    public async Task PluginInstallOverLimitIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string> { ["MCPZERO__PAYLOADLIMITS__PLUGININSTALL"] = "1024" });
        byte[] wasm = await File.ReadAllBytesAsync(TestPaths.TestPlugin("misbehave"));
        Assert.True(wasm.Length > 1024, "the test module must be larger than the limit");
        await using McpZeroClient client = await daemon.ConnectAsync();

        IResponse response = await client.SendAsync(new PluginInstallRequest { Name = "misbehave", Wasm = wasm }).WaitAsync(Daemon.CommandTimeout);

        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.Equal(ErrorCode.PayloadTooLarge, error.Code);
        Assert.Contains("PluginInstall", error.Message);
        Assert.Contains("limit of 1024 bytes", error.Message);
        PluginListResponse plugins = await client.RequestAsync<PluginListResponse>(new PluginListRequest()).WaitAsync(Daemon.CommandTimeout);
        Assert.Empty(plugins.Plugins);
    }

    [Fact]
    public async Task SmallMessageDefaultLimitApplies()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await using McpZeroClient client = await daemon.ConnectAsync();
        string longId = new('a', 70 * 1024);

        IResponse response = await client.SendAsync(new AgentShowRequest { AgentId = longId }).WaitAsync(Daemon.CommandTimeout);

        ErrorResponse error = Assert.IsType<ErrorResponse>(response);
        Assert.Equal(ErrorCode.PayloadTooLarge, error.Code);
        Assert.Contains("AgentShow", error.Message);
        Assert.Contains("limit of 65536 bytes", error.Message);
    }

    [Theory]
    [InlineData("MCPZERO__PAYLOADLIMITS__AGENTEXECC", "2048", "names no request type")]
    [InlineData("MCPZERO__PAYLOADLIMITS__AGENTEXEC", "99999999", "use an integer from 16 to MaxFrameBytes")]
    [InlineData("MCPZERO__PAYLOADLIMITS__AGENTEXEC", "ten", "use an integer from 16 to MaxFrameBytes")]
    public async Task InvalidLimitStopsStartup(string variable, string value, string expected)
    {
        string directory = TestPaths.NewTestDirectory();
        try
        {
            CliResult result = await Daemon.RunBinaryAsync(
                ["serve", "--socket", Path.Combine(directory, "t.sock"), "--data", Path.Combine(directory, "data")],
                environment: new Dictionary<string, string> { [variable] = value });

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(expected, result.Stdout + result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
