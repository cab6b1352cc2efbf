using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server;
using Microsoft.Extensions.Configuration;

namespace McpZero.UnitTests.Server;

/// <summary>The socket protocol settings: payload limits, timeouts and compression.</summary>
public sealed class ProtocolOptionsTests
{
    [Fact]
    public void PayloadLimitDefaultsFollowOtherLimits()
    {
        ServerOptions options = FromValues(new() { ["MaxFrameBytes"] = "2097152", ["MaxInputBytes"] = "100000" });

        Assert.Equal(100_000u + ServerOptions.RequestOverheadBytes, options.PayloadLimits.For(MessageTypes.AgentExec));
        Assert.Equal(2_097_152u, options.PayloadLimits.For(MessageTypes.PluginInstall));
        Assert.Equal(2_097_152u, options.PayloadLimits.For(MessageTypes.Batch));
        Assert.Equal(1_048_576u, options.PayloadLimits.For(MessageTypes.DbUpdate));
        Assert.Equal(PayloadLimits.SmallMessageBytes, options.PayloadLimits.For(MessageTypes.AgentShow));
    }

    [Fact]
    public void SmallFrameClampsEveryDefault()
    {
        ServerOptions options = FromValues(new() { ["MaxFrameBytes"] = "4096" });

        Assert.Equal(4096u, options.PayloadLimits.For(MessageTypes.AgentExec));
        Assert.Equal(4096u, options.PayloadLimits.For(MessageTypes.DbUpdate));
        Assert.Equal(4096u, options.PayloadLimits.For(MessageTypes.Status));
    }

    [Fact]
    public void PayloadLimitKeysIgnoreCase()
    {
        ServerOptions options = FromValues(new() { ["PayloadLimits:agentexec"] = "2048", ["PayloadLimits:DbFind"] = "300" });

        Assert.Equal(2048u, options.PayloadLimits.For(MessageTypes.AgentExec));
        Assert.Equal(300u, options.PayloadLimits.For(MessageTypes.DbFind));
        Assert.Empty(ServerOptions.FindUnknownKeys(Build(new() { ["PayloadLimits:AgentExec"] = "2048" })));
    }

    [Fact]
    public void UnknownPayloadLimitNamesKnownTypes()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FromValues(new() { ["PayloadLimits:Exec"] = "2048" }));

        Assert.Contains("PayloadLimits:Exec", error.Message);
        Assert.Contains("AgentExec", error.Message);
    }

    [Theory]
    [InlineData("8")]
    [InlineData("4194305")]
    [InlineData("big")]
    public void InvalidPayloadLimitNamesRange(string text)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FromValues(new() { ["PayloadLimits:AgentExec"] = text }));

        Assert.Contains($"PayloadLimits:AgentExec='{text}'", error.Message);
        Assert.Contains("from 16 to MaxFrameBytes (4194304)", error.Message);
    }

    [Fact]
    public void ProtocolKeysAreRead()
    {
        ServerOptions options = FromValues(new()
        {
            ["FrameReadTimeoutSeconds"] = "5",
            ["IdleConnectionTimeoutSeconds"] = "0",
            ["Compression"] = "none",
            ["CompressionThresholdBytes"] = "512",
        });

        Assert.Equal(TimeSpan.FromSeconds(5), options.FrameReadTimeout);
        Assert.Equal(TimeSpan.Zero, options.IdleConnectionTimeout);
        Assert.Equal(CompressionCodec.None, options.Compression);
        Assert.Equal(512, options.CompressionThresholdBytes);
    }

    [Fact]
    public void ProtocolDefaults()
    {
        ServerOptions options = FromValues([]);

        Assert.Equal(TimeSpan.FromSeconds(30), options.FrameReadTimeout);
        Assert.Equal(TimeSpan.FromHours(1), options.IdleConnectionTimeout);
        Assert.Equal(CompressionCodec.Lz4, options.Compression);
        Assert.Equal(65_536, options.CompressionThresholdBytes);
    }

    [Fact]
    public void UnknownCodecNamesChoices()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FromValues(new() { ["Compression"] = "gzip" }));

        Assert.Contains("Compression='gzip'", error.Message);
        Assert.Contains("lz4", error.Message);
    }

    private static IConfiguration Build(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServerOptions FromValues(Dictionary<string, string?> values) => ServerOptions.FromConfiguration(Build(values));
}
