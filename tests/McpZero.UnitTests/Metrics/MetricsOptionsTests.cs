using McpZero.Server;
using Microsoft.Extensions.Configuration;

namespace McpZero.UnitTests.Metrics;

public sealed class MetricsOptionsTests
{
    [Fact]
    public void TextfileIsOffByDefault()
    {
        ServerOptions options = FromValues([]);

        Assert.Null(options.MetricsTextfilePath);
        Assert.Equal(TimeSpan.FromSeconds(15), options.MetricsTextfileInterval);
    }

    [Fact]
    public void TextfileKeysAreRead()
    {
        ServerOptions options = FromValues(new()
        {
            ["MetricsTextfilePath"] = "metrics/mcpzero.prom",
            ["MetricsTextfileIntervalSeconds"] = "60",
        });

        Assert.Equal(Path.GetFullPath("metrics/mcpzero.prom"), options.MetricsTextfilePath);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MetricsTextfileInterval);
    }

    [Fact]
    public void BlankTextfilePathWritesNone()
    {
        Assert.Null(FromValues(new() { ["MetricsTextfilePath"] = " " }).MetricsTextfilePath);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3601")]
    [InlineData("often")]
    public void IntervalOutOfRangeIsRejected(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => FromValues(new() { ["MetricsTextfileIntervalSeconds"] = value }));

        Assert.Contains("MetricsTextfileIntervalSeconds", error.Message);
    }

    [Fact]
    public void MetricsKeysAreKnown()
    {
        IConfiguration configuration = Build(new()
        {
            ["MetricsTextfilePath"] = "/tmp/x.prom",
            ["MetricsTextfileIntervalSeconds"] = "5",
        });

        Assert.Empty(ServerOptions.FindUnknownKeys(configuration));
    }

    private static ServerOptions FromValues(Dictionary<string, string?> values) => ServerOptions.FromConfiguration(Build(values));

    private static IConfiguration Build(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
