using McpZero.Client;

namespace McpZero.UnitTests.Client;

public sealed class McpZeroClientOptionsTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        var options = new McpZeroClientOptions();

        options.Validate();
        Assert.False(options.AutoBatch);
        Assert.Equal(4, options.Connections);
        Assert.Same(McpZeroRetryPolicy.Default, options.Retry);
    }

    public static TheoryData<string, McpZeroClientOptions> InvalidOptions => new()
    {
        { "ClientName", new McpZeroClientOptions { ClientName = "" } },
        { "MaxBatchRequests", new McpZeroClientOptions { MaxBatchRequests = 1 } },
        { "MaxBatchRequests", new McpZeroClientOptions { MaxBatchRequests = 1025 } },
        { "MaxBatchBytes", new McpZeroClientOptions { MaxBatchBytes = 1023 } },
        { "Connections", new McpZeroClientOptions { Connections = 0 } },
        { "Retry.MaxAttempts", new McpZeroClientOptions { Retry = new McpZeroRetryPolicy { MaxAttempts = 0 } } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidValueNamesSetting(string setting, McpZeroClientOptions options)
    {
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(options.Validate);

        Assert.Equal(setting, error.ParamName);
    }
}
