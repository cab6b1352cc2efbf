namespace McpZero.Plugins.Tests;

/// <summary>Reservations of linear memory from the engine's process-wide budget.</summary>
public sealed class MemoryBudgetTests
{
    private const long Mebibyte = 1024 * 1024;

    private static readonly PluginLimits OneMebibyte = PluginLimits.Default with { MaxMemoryBytes = Mebibyte };

    [Fact]
    public void WarmInstanceKeepsReservationUntilUnload()
    {
        var budget = new MemoryBudget(4 * Mebibyte);
        using var fixture = new EngineFixture(memoryBudget: budget);
        using PluginModule module = fixture.Load("misbehave");

        fixture.Engine.Call(module, EngineFixture.Call("echo", input: [1, 2, 3], limits: OneMebibyte));
        long reservedWhileWarm = budget.ReservedBytes;
        fixture.Engine.Unload(module);

        Assert.Equal(Mebibyte, reservedWhileWarm);
        Assert.Equal(0, budget.ReservedBytes);
        Assert.Equal(Mebibyte, budget.PeakReservedBytes);
    }

    [Fact]
    public void RequestOverBudgetIsRejected()
    {
        var budget = new MemoryBudget(Mebibyte);
        using var fixture = new EngineFixture(memoryBudget: budget);
        using PluginModule module = fixture.Load("misbehave");
        PluginLimits twoMebibytes = PluginLimits.Default with { MaxMemoryBytes = 2 * Mebibyte };

        PluginException error = Assert.Throws<PluginException>(
            () => fixture.Engine.Call(module, EngineFixture.Call("echo", limits: twoMebibytes, pluginName: "misbehave")));

        Assert.Equal(PluginErrorKind.MemoryBudgetExhausted, error.Kind);
        Assert.Contains($"requested {2 * Mebibyte} bytes", error.Message);
        Assert.Contains($"in use 0 of the budget of {Mebibyte} bytes", error.Message);
        Assert.Equal(1, budget.Rejections);
        Assert.Equal(0, budget.ReservedBytes);
    }

    [Fact]
    public void IdleInstanceIsEvictedForAnotherAgent()
    {
        var budget = new MemoryBudget(Mebibyte);
        using var fixture = new EngineFixture(memoryBudget: budget);
        using PluginModule module = fixture.Load("misbehave");

        fixture.Engine.Call(module, EngineFixture.Call("echo", agentId: "agent-a", limits: OneMebibyte));
        PluginCallResult second = fixture.Engine.Call(module, EngineFixture.Call("echo", agentId: "agent-b", input: [7], limits: OneMebibyte));

        Assert.Equal([7], second.Output);
        Assert.Equal(Mebibyte, budget.ReservedBytes);
        Assert.Equal(0, budget.Rejections);
    }

    [Fact]
    public void GrowStopsAtReservation()
    {
        var budget = new MemoryBudget(8 * Mebibyte);
        using var fixture = new EngineFixture(memoryBudget: budget);
        using PluginModule module = fixture.Load("misbehave");

        PluginException error = Assert.Throws<PluginException>(
            () => fixture.Engine.Call(module, EngineFixture.Call("grow", limits: OneMebibyte)));

        // 1 MiB is 16 pages of 64 KiB.
        Assert.Equal(PluginErrorKind.PluginError, error.Kind);
        Assert.Contains("memory.grow failed at 16 pages", error.Message);
        Assert.Equal(Mebibyte, budget.ReservedBytes);
    }

    [Fact]
    public void BudgetBelowOnePageIsInvalid()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(PluginLimits.WasmPageBytes - 1));
    }
}
