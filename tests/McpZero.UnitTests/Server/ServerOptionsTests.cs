using McpZero.Protocol;
using McpZero.Server;
using Microsoft.Extensions.Configuration;

namespace McpZero.UnitTests.Server;

/// <summary>
/// <see cref="ServerOptions.FromConfiguration"/> reads INVOCATION_ID and STATE_DIRECTORY from the
/// process environment. Only this class touches them, and xunit runs the tests of one class one at a time.
/// </summary>
public sealed class ServerOptionsTests
{
    public static TheoryData<string, string> OutOfRangeValues => new()
    {
        { "MaxFrameBytes", "1023" },
        { "MaxFrameBytes", "2147483648" },
        { "ShutdownTimeoutSeconds", "-1" },
        { "ShutdownTimeoutSeconds", "3601" },
        { "MaxConnections", "0" },
        { "MaxConnections", "65537" },
        { "InstancesPerPlugin", "0" },
        { "InstancesPerPlugin", "1025" },
        { "MaxInputBytes", "-1" },
        { "MaxInputBytes", "2147483648" },
        { "DefaultTimeoutMs", "0" },
        { "DefaultTimeoutMs", "600001" },
        { "DefaultMemoryMb", "0" },
        { "DefaultMemoryMb", "4097" },
        { "CheckpointIntervalSeconds", "0" },
        { "CheckpointIntervalSeconds", "86401" },
        { "MaxConnections", "many" },
        { "MaxConnections", "" },
        { "DefaultTimeoutMs", "1.5" },
        { "MemoryCeilingBytes", "1000" },
        { "CpuBudgetPercent", "0" },
        { "MaxQueuedPerAgent", "0" },
        { "MaxQueuedExecutions", "0" },
        { "QueueTimeoutMs", "0" },
    };

    [Fact]
    public void GovernanceKeysAreRead()
    {
        ServerOptions options = FromValues(new()
        {
            ["MemoryCeilingBytes"] = "4000000000",
            ["CpuBudgetPercent"] = "150",
            ["MaxQueuedPerAgent"] = "3",
            ["MaxQueuedExecutions"] = "30",
            ["QueueTimeoutMs"] = "250",
            ["AdmissionControl"] = "false",
        });

        Assert.Equal(4_000_000_000, options.MemoryCeilingBytes);
        Assert.Equal(150, options.CpuBudgetPercent);
        Assert.Equal(3, options.MaxQueuedPerAgent);
        Assert.Equal(30, options.MaxQueuedExecutions);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.QueueTimeout);
        Assert.False(options.AdmissionControl);
    }

    [Fact]
    public void InvalidAdmissionControlNamesKey()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FromValues(new() { ["AdmissionControl"] = "maybe" }));

        Assert.Contains("AdmissionControl='maybe'", error.Message);
        Assert.Contains("use true or false", error.Message);
    }

    [Fact]
    public void GovernanceDefaultsMatchEnvelope()
    {
        ServerOptions options = FromValues([]);

        Assert.Equal(827_000_000, options.MemoryCeilingBytes);
        Assert.Equal(27, options.CpuBudgetPercent);
        Assert.True(options.AdmissionControl);
    }

    [Fact]
    public void EmptyConfigurationGivesDevelopmentDefaults()
    {
        ServerOptions options = WithEnvironment(invocationId: null, stateDirectory: null, () => FromValues([]));

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "var", "mcpzero.sock"), options.SocketPath);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "var"), options.DataDirectory);
        Assert.True(Path.IsPathFullyQualified(options.SocketPath));
        Assert.True(Path.IsPathFullyQualified(options.DataDirectory));
        Assert.Equal((UnixFileMode)0x1B0, options.SocketMode);
        Assert.Equal(FrameReader.DefaultMaxBodyBytes, options.MaxFrameBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ShutdownTimeout);
        Assert.Equal(256, options.MaxConnections);
        Assert.Equal(4, options.InstancesPerPlugin);
        Assert.Equal(1024 * 1024, options.MaxInputBytes);
        Assert.Equal(5_000, options.DefaultTimeoutMs);
        Assert.Equal(64, options.DefaultMemoryMb);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CheckpointInterval);
    }

    [Fact]
    public void SystemdDefaultsUseServicePaths()
    {
        ServerOptions options = WithEnvironment(invocationId: "0123456789abcdef", stateDirectory: null, () => FromValues([]));

        Assert.Equal(ServerOptions.ServiceSocketPath, options.SocketPath);
        Assert.Equal(ServerOptions.ServiceDataDirectory, options.DataDirectory);
    }

    [Fact]
    public void SystemdStateDirectoryIsDataDefault()
    {
        ServerOptions options = WithEnvironment(invocationId: "0123456789abcdef", stateDirectory: "/srv/mcpzero-state", () => FromValues([]));

        Assert.Equal("/srv/mcpzero-state", options.DataDirectory);
    }

    [Fact]
    public void RelativeConfiguredPathsBecomeAbsolute()
    {
        ServerOptions options = FromValues(new()
        {
            ["SocketPath"] = "run/test.sock",
            ["DataDirectory"] = "data/../state",
        });

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "run", "test.sock"), options.SocketPath);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "state"), options.DataDirectory);
    }

    [Fact]
    public void InputLimitOverFrameIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => FromValues(new()
        {
            ["MaxFrameBytes"] = "65536",
            ["MaxInputBytes"] = "65536",
        }));

        Assert.Contains("MaxInputBytes=65536", error.Message);
        Assert.Contains("MaxFrameBytes=65536", error.Message);
    }

    [Fact]
    public void DefaultInputLimitShrinksToFrame()
    {
        ServerOptions options = FromValues(new() { ["MaxFrameBytes"] = "65536" });

        Assert.Equal(65536 - ServerOptions.RequestOverheadBytes, options.MaxInputBytes);
    }

    [Fact]
    public void ConfiguredValuesAreRead()
    {
        ServerOptions options = FromValues(new()
        {
            ["SocketPath"] = "/tmp/unit/mcpzero.sock",
            ["DataDirectory"] = "/tmp/unit/data",
            ["MaxFrameBytes"] = "1024",
            ["ShutdownTimeoutSeconds"] = "0",
            ["MaxConnections"] = "65536",
            ["InstancesPerPlugin"] = "1024",
            ["MaxInputBytes"] = "0",
            ["DefaultTimeoutMs"] = "600000",
            ["DefaultMemoryMb"] = "4096",
            ["CheckpointIntervalSeconds"] = "86400",
        });

        Assert.Equal("/tmp/unit/mcpzero.sock", options.SocketPath);
        Assert.Equal("/tmp/unit/data", options.DataDirectory);
        Assert.Equal(1024u, options.MaxFrameBytes);
        Assert.Equal(TimeSpan.Zero, options.ShutdownTimeout);
        Assert.Equal(65536, options.MaxConnections);
        Assert.Equal(1024, options.InstancesPerPlugin);
        Assert.Equal(0, options.MaxInputBytes);
        Assert.Equal(600_000, options.DefaultTimeoutMs);
        Assert.Equal(4096, options.DefaultMemoryMb);
        Assert.Equal(TimeSpan.FromDays(1), options.CheckpointInterval);
    }

    [Theory]
    [MemberData(nameof(OutOfRangeValues))]
    public void InvalidNumberNamesKey(string key, string value)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FromValues(new() { [key] = value }));

        Assert.Contains($"{key}='{value}'", error.Message);
        Assert.Contains("use an integer from", error.Message);
    }

    [Theory]
    [InlineData("600", 0x180)]
    [InlineData("0600", 0x180)]
    [InlineData("660", 0x1B0)]
    [InlineData("777", 0x1FF)]
    [InlineData("0", 0)]
    public void SocketModeIsOctal(string text, int expected)
    {
        ServerOptions options = FromValues(new() { ["SocketMode"] = text });

        Assert.Equal((UnixFileMode)expected, options.SocketMode);
    }

    [Theory]
    [InlineData("rw-rw----")]
    [InlineData("680")]
    [InlineData("1000")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("99999999999")]
    public void InvalidSocketModeNamesKey(string text)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => FromValues(new() { ["SocketMode"] = text }));

        Assert.Contains($"SocketMode='{text}'", error.Message);
        Assert.Contains("octal", error.Message);
    }

    private static ServerOptions FromValues(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return ServerOptions.FromConfiguration(configuration);
    }

    /// <summary>Runs <paramref name="action"/> with the systemd variables set as given, then restores them.</summary>
    private static T WithEnvironment<T>(string? invocationId, string? stateDirectory, Func<T> action)
    {
        string? savedInvocationId = Environment.GetEnvironmentVariable("INVOCATION_ID");
        string? savedStateDirectory = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        try
        {
            Environment.SetEnvironmentVariable("INVOCATION_ID", invocationId);
            Environment.SetEnvironmentVariable("STATE_DIRECTORY", stateDirectory);
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable("INVOCATION_ID", savedInvocationId);
            Environment.SetEnvironmentVariable("STATE_DIRECTORY", savedStateDirectory);
        }
    }
}
