using System.Text;

namespace McpZero.Plugins.Tests;

/// <summary>
/// Calls of the shared misbehave sample plugin: timeouts, memory-limit classification and plugin names in messages.
/// </summary>
public sealed class MisbehaveTests : IDisposable
{
    private const string PluginName = "misbehave";

    private readonly EngineFixture _fixture = new();
    private readonly PluginModule _misbehave;

    public MisbehaveTests()
    {
        _misbehave = _fixture.Load("misbehave");
    }

    private PluginEngine Engine => _fixture.Engine;

    public void Dispose()
    {
        _misbehave.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public void Timeout_OneMillisecondStopsSpin()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 1, Fuel = ulong.MaxValue };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("spin", limits: limits)));

        Assert.Equal(PluginErrorKind.Timeout, error.Kind);
        Assert.True(error.Duration >= TimeSpan.FromMilliseconds(1), $"stopped after {error.Duration.TotalMilliseconds} ms, before the limit");

        // Generous bound: the tick is 5 ms, so only a deadline that is not enforced comes near it.
        Assert.True(error.Duration < TimeSpan.FromMilliseconds(200), $"ran {error.Duration.TotalMilliseconds} ms with a limit of 1 ms");
    }

    [Fact]
    public void Cancellation_StopsCallLongBeforeDeadline()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 60_000, Fuel = ulong.MaxValue };
        using var cancellation = new CancellationTokenSource();
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(50));
        PluginCall call = EngineFixture.Call("spin", limits: limits);

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, new PluginCall
            {
                AgentId = call.AgentId,
                Method = call.Method,
                Input = call.Input,
                Config = call.Config,
                Variables = call.Variables,
                Limits = call.Limits,
                Cancellation = cancellation.Token,
            }));

        Assert.Equal(PluginErrorKind.Cancelled, error.Kind);
        Assert.Contains("cancelled by the host", error.Message);

        // Generous bound: a call that ignored cancellation would run to its 60 s deadline.
        Assert.True(error.Duration < TimeSpan.FromSeconds(10), $"ran {error.Duration.TotalMilliseconds} ms after cancellation at 50 ms");
    }

    [Fact]
    public void Timeout_MessageGivesLimitAndRealTime()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 3, Fuel = ulong.MaxValue };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("spin", limits: limits)));

        Assert.Contains($"timed out: limit 3 ms, ran {(long)error.Duration.TotalMilliseconds} ms", error.Message);
        Assert.DoesNotContain("timed out after", error.Message);
    }

    [Fact]
    public void Timeout_StopsAtFirstTickAfterLimit()
    {
        // A deadline of whole ticks, with a spare tick for the unknown phase, stops a 1 ms call at the second
        // 400 ms tick. Checking the clock at every tick stops it at the first, after about 400 ms.
        using var fixture = new EngineFixture(epochTickMilliseconds: 400);
        using PluginModule module = fixture.Load("misbehave");
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 1, Fuel = ulong.MaxValue };

        PluginException error = Assert.Throws<PluginException>(
            () => fixture.Engine.Call(module, EngineFixture.Call("spin", limits: limits)));

        Assert.Equal(PluginErrorKind.Timeout, error.Kind);
        Assert.True(error.Duration < TimeSpan.FromMilliseconds(800), $"ran {error.Duration.TotalMilliseconds} ms, past the second 400 ms tick");
    }

    [Fact]
    public void Timeout_LongerThanTickNeverEarly()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 27, Fuel = ulong.MaxValue };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("spin", limits: limits)));

        Assert.Equal(PluginErrorKind.Timeout, error.Kind);
        Assert.True(error.Duration >= TimeSpan.FromMilliseconds(27), $"stopped after {error.Duration.TotalMilliseconds} ms, before the limit");
    }

    [Fact]
    public void TrapAfterReportedGrowFailure_IsTrap()
    {
        PluginLimits limits = PluginLimits.Default with { MaxMemoryBytes = 1 << 20 };

        PluginException growError = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("grow", limits: limits)));
        PluginException trapError = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("trap", limits: limits)));

        // The plugin reports the failed grow itself, so its instance stays warm with memory at the limit.
        Assert.Equal(PluginErrorKind.PluginError, growError.Kind);
        Assert.Contains("memory.grow failed at 16 pages", growError.Message);
        Assert.Equal(PluginErrorKind.Trap, trapError.Kind);
        Assert.Contains("unreachable", trapError.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("already at the limit of 1048576 bytes", trapError.Message);
    }

    [Fact]
    public void TrapOnFreshInstance_IsTrap()
    {
        PluginLimits limits = PluginLimits.Default with { MaxMemoryBytes = 1 << 20 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("trap", limits: limits)));

        Assert.Equal(PluginErrorKind.Trap, error.Kind);
        Assert.DoesNotContain("limit", error.Message);
    }

    [Fact]
    public void PluginName_InCallFailureMessages()
    {
        string shortHash = _misbehave.Sha256[..12];
        PluginLimits shortTimeout = PluginLimits.Default with { TimeoutMs = 1, Fuel = ulong.MaxValue };

        PluginException failed = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("fail", pluginName: PluginName)));
        PluginException trapped = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("trap", pluginName: PluginName)));
        PluginException timedOut = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("spin", limits: shortTimeout, pluginName: PluginName)));
        PluginException missing = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("no_such_method", pluginName: PluginName)));

        foreach (PluginException error in new[] { failed, trapped, timedOut, missing })
        {
            Assert.StartsWith($"Plugin '{PluginName}' ({shortHash}) ", error.Message);
        }

        Assert.Equal(PluginErrorKind.PluginError, failed.Kind);
        Assert.Contains("deliberate failure", failed.Message);
        Assert.Equal(PluginErrorKind.MissingExport, missing.Kind);
    }

    [Fact]
    public void PluginName_InInputTooLargeMessage()
    {
        PluginLimits limits = PluginLimits.Default with { MaxMemoryBytes = PluginLimits.WasmPageBytes };
        byte[] input = Encoding.ASCII.GetBytes(new string('x', (int)PluginLimits.WasmPageBytes + 1));

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_misbehave, EngineFixture.Call("echo", input: input, limits: limits, pluginName: PluginName)));

        Assert.Equal(PluginErrorKind.OutOfMemory, error.Kind);
        Assert.StartsWith($"Plugin '{PluginName}' ({_misbehave.Sha256[..12]}) ", error.Message);
    }

    [Fact]
    public void PluginName_UnsetUsesShortHash()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_misbehave, EngineFixture.Call("fail")));

        Assert.StartsWith($"Plugin {_misbehave.Sha256[..12]} method 'fail'", error.Message);
    }
}
