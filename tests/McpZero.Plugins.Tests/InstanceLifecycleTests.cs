using System.Buffers.Binary;
using System.Text;

namespace McpZero.Plugins.Tests;

/// <summary>Instance isolation between agents, reuse over many calls, and unloading of idle modules.</summary>
public sealed class InstanceLifecycleTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("secret-of-agent-a-5f1c9e");

    [Fact]
    public void Isolation_OtherAgentCannotScanSecret()
    {
        using var fixture = new EngineFixture(instancesPerPlugin: 4);
        using PluginModule module = fixture.Load("isolation");

        byte[] stored = fixture.Engine.Call(module, EngineFixture.Call("store", agentId: "agent-a", input: Secret)).Output;
        byte[] seenByOwner = fixture.Engine.Call(module, EngineFixture.Call("scan", agentId: "agent-a", input: Secret)).Output;
        byte[] seenByOther = fixture.Engine.Call(module, EngineFixture.Call("scan", agentId: "agent-b", input: Secret)).Output;

        Assert.Equal("s", Encoding.ASCII.GetString(stored));
        Assert.Equal("1", Encoding.ASCII.GetString(seenByOwner));
        Assert.Equal("0", Encoding.ASCII.GetString(seenByOther));
        Assert.Equal(2, fixture.Engine.InstancesCreated);
        Assert.Equal(1, fixture.Engine.InstancesReused);
    }

    [Fact]
    public void Isolation_HoldsWhenPoolHasOneSlot()
    {
        // With one idle slot, agent B's instance evicts agent A's, and A's next call starts fresh.
        using var fixture = new EngineFixture(instancesPerPlugin: 1);
        using PluginModule module = fixture.Load("isolation");

        fixture.Engine.Call(module, EngineFixture.Call("store", agentId: "agent-a", input: Secret));
        byte[] seenByOther = fixture.Engine.Call(module, EngineFixture.Call("scan", agentId: "agent-b", input: Secret)).Output;
        byte[] seenByOwnerAfterEviction = fixture.Engine.Call(module, EngineFixture.Call("scan", agentId: "agent-a", input: Secret)).Output;

        Assert.Equal("0", Encoding.ASCII.GetString(seenByOther));
        Assert.Equal("0", Encoding.ASCII.GetString(seenByOwnerAfterEviction));
        Assert.Equal(3, fixture.Engine.InstancesCreated);
    }

    [Fact]
    public void OneInstance_ServesMillionCallsWithoutGrowing()
    {
        const int Calls = 1_000_000;
        using var fixture = new EngineFixture();
        using PluginModule module = fixture.Load("vowels");
        var variables = new PluginVariables();
        byte[] input = Encoding.ASCII.GetBytes("Hello, World!");

        PluginCall call = EngineFixture.Call("count_vowels_total", input: input, variables: variables);
        ulong first = BinaryPrimitives.ReadUInt64LittleEndian(fixture.Engine.Call(module, call).Output);
        long linearBytesAfterFirst = fixture.Engine.LinearMemoryBytes;

        int wrongResults = 0;
        for (int i = 1; i < Calls; i++)
        {
            byte[] output = fixture.Engine.Call(module, call).Output;
            if (output.Length != 8 || BinaryPrimitives.ReadUInt64LittleEndian(output) != 3)
            {
                wrongResults++;
            }
        }

        byte[] total = variables.Get("total") ?? [];
        Assert.Equal(3UL, first);
        Assert.Equal(0, wrongResults);
        Assert.Equal(8, total.Length);
        Assert.Equal(3UL * Calls, BinaryPrimitives.ReadUInt64LittleEndian(total));
        Assert.Equal(1, fixture.Engine.InstancesCreated);
        Assert.Equal(Calls - 1, fixture.Engine.InstancesReused);
        Assert.Equal(1, fixture.Engine.LiveInstances);
        Assert.Equal(PluginLimits.WasmPageBytes, linearBytesAfterFirst);
        Assert.Equal(linearBytesAfterFirst, fixture.Engine.LinearMemoryBytes);
    }

    [Fact]
    public void IdleModule_IsUnloadedAndLoadsAgain()
    {
        // The engine's timer never fires within the test at this setting, so the sweep below is the only one.
        using var fixture = new EngineFixture(idleUnloadAfter: TimeSpan.FromHours(1));
        byte[] wasm = TestModules.Wasm("vowels");
        string sha256 = TestModules.Sha256(wasm);
        PluginModule module = fixture.Engine.Load(sha256, wasm);
        fixture.Engine.Call(module, EngineFixture.Call("noop"));
        Assert.Equal(1, fixture.Engine.LiveInstances);

        int swept = fixture.Engine.UnloadIdleModules(idleMilliseconds: 0);

        Assert.Equal(1, swept);
        Assert.True(module.IsUnloaded);
        Assert.Equal(0, fixture.Engine.LoadedModules);
        Assert.Equal(1, fixture.Engine.ModulesUnloaded);
        Assert.Equal(0, fixture.Engine.LiveInstances);
        Assert.Throws<ObjectDisposedException>(() => fixture.Engine.Call(module, EngineFixture.Call("noop")));

        using PluginModule reloaded = fixture.Engine.Load(sha256, wasm);
        byte[] output = fixture.Engine.Call(reloaded, EngineFixture.Call("count_vowels", input: "aeiou"u8.ToArray())).Output;
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(output));
        Assert.Equal(1, fixture.Engine.ModulesCompiled);
        Assert.Equal(1, fixture.Engine.ModulesLoadedFromCache);
    }

    [Fact]
    public void IdleUnload_OffKeepsModulesLoaded()
    {
        using var fixture = new EngineFixture();
        using PluginModule module = fixture.Load("vowels");
        fixture.Engine.Call(module, EngineFixture.Call("noop"));

        Assert.Equal(0, fixture.Engine.UnloadIdleModules());
        Assert.Equal(0, fixture.Engine.UnloadIdleModules(idleMilliseconds: 3_600_000));
        Assert.False(module.IsUnloaded);
        Assert.Equal(1, fixture.Engine.LoadedModules);
    }

    [Fact]
    public void TryUnload_DisposesModuleAndForgetsIt()
    {
        using var fixture = new EngineFixture();
        PluginModule module = fixture.Load("vowels");
        fixture.Engine.Call(module, EngineFixture.Call("noop"));

        Assert.True(fixture.Engine.TryUnload(module));
        Assert.True(module.IsUnloaded);
        Assert.Equal(0, fixture.Engine.LoadedModules);
        Assert.Equal(0, fixture.Engine.LiveInstances);
    }

    [Fact]
    public void DisposedModule_LeavesLoadedCount()
    {
        using var fixture = new EngineFixture();
        PluginModule first = fixture.Load("vowels");
        PluginModule second = fixture.Load("isolation");
        Assert.Equal(2, fixture.Engine.LoadedModules);

        first.Dispose();

        Assert.Equal(1, fixture.Engine.LoadedModules);
        second.Dispose();
        Assert.Equal(0, fixture.Engine.LoadedModules);
    }
}
