using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;

namespace McpZero.Plugins.Tests;

public sealed class PluginCallTests : IDisposable
{
    private readonly EngineFixture _fixture = new();
    private readonly PluginModule _abi;

    public PluginCallTests()
    {
        _abi = _fixture.Load("abi");
    }

    private PluginEngine Engine => _fixture.Engine;

    public void Dispose()
    {
        _abi.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public void Exports_ListOnlyCallableFunctions()
    {
        Assert.Contains("echo", _abi.Exports);
        Assert.Contains("counter", _abi.Exports);
        Assert.DoesNotContain("takes_param", _abi.Exports);
        Assert.False(_abi.IsCommand);
        Assert.Equal(64, _abi.Sha256.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(4096)]
    public void Echo_ReturnsInput(int length)
    {
        byte[] input = new byte[length];
        Random.Shared.NextBytes(input);

        PluginCallResult result = Engine.Call(_abi, EngineFixture.Call("echo", input: input));

        Assert.Equal(input, result.Output);
        Assert.True(result.FuelConsumed > 0);
    }

    [Fact]
    public void AllocLengthFree_FollowTheAbi()
    {
        PluginCallResult result = Engine.Call(_abi, EngineFixture.Call("alloc_check"));

        Assert.Empty(result.Output);
    }

    [Fact]
    public void KernelMemory_ResetBetweenCalls()
    {
        PluginModule module = _abi;
        long first = ReadU64(Engine.Call(module, EngineFixture.Call("leak")).Output);

        for (int i = 0; i < 5000; i++)
        {
            long offset = ReadU64(Engine.Call(module, EngineFixture.Call("leak")).Output);
            Assert.Equal(first, offset);
        }
    }

    [Fact]
    public void KernelMemory_FullReturnsZero()
    {
        PluginLimits limits = PluginLimits.Default with { MaxMemoryBytes = 4 << 20 };

        PluginCallResult result = Engine.Call(_abi, EngineFixture.Call("exhaust", limits: limits));

        // 4 MiB holds three 1 MiB blocks after the first, 8-byte-aligned offsets.
        Assert.Equal(3, ReadU64(result.Output));
    }

    [Fact]
    public void ErrorSet_FailsWithText()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("fail_error")));

        Assert.Equal(PluginErrorKind.PluginError, error.Kind);
        Assert.Contains("boom", error.Message);
        Assert.Contains(_abi.Sha256[..12], error.Message);
        Assert.Contains("fail_error", error.Message);
    }

    [Fact]
    public void NonZeroReturn_FailsWithCode()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("fail_code")));

        Assert.Equal(PluginErrorKind.PluginError, error.Kind);
        Assert.Contains("plugin returned 7", error.Message);
    }

    [Fact]
    public void ConfigGet_ReturnsValueOrNothing()
    {
        var config = new Dictionary<string, string> { ["greeting"] = "hé there" };

        PluginCallResult present = Engine.Call(_abi, EngineFixture.Call("config", config: config));
        PluginCallResult absent = Engine.Call(_abi, EngineFixture.Call("config"));

        Assert.Equal("hé there", Encoding.UTF8.GetString(present.Output));
        Assert.Empty(absent.Output);
    }

    [Fact]
    public void Variables_PersistAcrossCalls()
    {
        var variables = new PluginVariables();

        for (int expected = 1; expected <= 3; expected++)
        {
            PluginCallResult result = Engine.Call(_abi, EngineFixture.Call("var_count", variables: variables));
            Assert.Equal(expected, ReadU64(result.Output));
        }

        Assert.True(variables.TryTakeChanges(out IReadOnlyList<KeyValuePair<string, byte[]?>> changes));
        KeyValuePair<string, byte[]?> change = Assert.Single(changes);
        Assert.Equal("count", change.Key);
        Assert.Equal(3, ReadU64(change.Value!));
        Assert.Equal(5 + 8, variables.TotalBytes);
        Assert.False(variables.TryTakeChanges(out _));
    }

    [Fact]
    public void Variables_SurviveNewEngineInstance()
    {
        var variables = new PluginVariables([new KeyValuePair<string, byte[]>("count", BitConverter.GetBytes(41L))]);

        PluginCallResult result = Engine.Call(_abi, EngineFixture.Call("var_count", agentId: "fresh-agent", variables: variables));

        Assert.Equal(42, ReadU64(result.Output));
    }

    [Fact]
    public void Variables_DeleteWithZeroValue()
    {
        var variables = new PluginVariables([new KeyValuePair<string, byte[]>("count", new byte[8])]);

        Engine.Call(_abi, EngineFixture.Call("var_delete", variables: variables));

        Assert.Null(variables.Get("count"));
        Assert.Equal(0, variables.TotalBytes);
        Assert.True(variables.IsDirty);
    }

    [Fact]
    public void Variables_OverLimitTraps()
    {
        var variables = new PluginVariables();
        PluginLimits limits = PluginLimits.Default with { MaxVariableBytes = 1000 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_abi, EngineFixture.Call("var_big", variables: variables, limits: limits)));

        Assert.Equal(PluginErrorKind.Trap, error.Kind);
        Assert.Contains("var_set 'big' would raise the agent's variables to 2003 bytes, over the limit of 1000", error.Message);
        Assert.Contains("memory.max_var_bytes", error.Message);
        Assert.Null(variables.Get("big"));
    }

    [Fact]
    public void InfiniteLoop_TimesOutTwice()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 50, Fuel = ulong.MaxValue };

        for (int attempt = 0; attempt < 2; attempt++)
        {
            PluginException error = Assert.Throws<PluginException>(
                () => Engine.Call(_abi, EngineFixture.Call("spin", limits: limits)));
            Assert.Equal(PluginErrorKind.Timeout, error.Kind);
            Assert.Contains("timed out: limit 50 ms, ran ", error.Message);
            Assert.True(error.Duration >= TimeSpan.FromMilliseconds(50), $"stopped after {error.Duration.TotalMilliseconds} ms, before the limit");
        }

        PluginCallResult after = Engine.Call(_abi, EngineFixture.Call("echo", input: [1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, after.Output);
    }

    [Fact]
    public void InfiniteLoop_RunsOutOfFuel()
    {
        PluginLimits limits = PluginLimits.Default with { Fuel = 100_000 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_abi, EngineFixture.Call("spin", limits: limits)));

        Assert.Equal(PluginErrorKind.OutOfFuel, error.Kind);
        Assert.Equal(100_000UL, error.FuelConsumed);
    }

    [Fact]
    public void MemoryGrowth_StopsAtLimit()
    {
        PluginLimits limits = PluginLimits.Default with { MaxMemoryBytes = 1 << 20 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_abi, EngineFixture.Call("grow", limits: limits)));

        Assert.Equal(PluginErrorKind.OutOfMemory, error.Kind);
        Assert.Contains("1048576", error.Message);
    }

    [Fact]
    public void MemoryLimit_BelowOnePageRejected()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => PluginLimits.Default with { MaxMemoryBytes = 1000 });

        Assert.Contains("65536", error.Message);
    }

    [Fact]
    public void MemoryLimit_RoundsDownToPages()
    {
        PluginLimits limits = PluginLimits.Default with { MaxMemoryBytes = 100_000 };

        Assert.Equal(65536, limits.MaxMemoryBytesInPages);
    }

    [Fact]
    public void Unreachable_TrapsAndEngineContinues()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("trap")));

        Assert.Equal(PluginErrorKind.Trap, error.Kind);
        Assert.True(error.Message.Contains("unreachable", StringComparison.OrdinalIgnoreCase), error.Message + "\n---\n" + error.InnerException);
        Assert.Equal(new byte[] { 9 }, Engine.Call(_abi, EngineFixture.Call("echo", input: [9])).Output);
    }

    [Fact]
    public void KernelLoadOutOfRange_Traps()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("bad_load")));

        Assert.Equal(PluginErrorKind.Trap, error.Kind);
        Assert.Contains("load_u64", error.Message);
        Assert.Contains("1000000", error.Message);
    }

    [Fact]
    public void MissingExport_Rejected()
    {
        PluginException missing = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("no_such_method")));
        PluginException wrongType = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("takes_param")));

        Assert.Equal(PluginErrorKind.MissingExport, missing.Kind);
        Assert.Contains("no_such_method", missing.Message);
        Assert.Equal(PluginErrorKind.MissingExport, wrongType.Kind);
    }

    [Fact]
    public void OutputOverLimit_Rejected()
    {
        PluginLimits limits = PluginLimits.Default with { MaxOutputBytes = 99 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_abi, EngineFixture.Call("big_output", limits: limits)));

        Assert.Equal(PluginErrorKind.OutputTooLarge, error.Kind);
        Assert.Equal(100, Engine.Call(_abi, EngineFixture.Call("big_output")).Output.Length);
    }

    [Fact]
    public void HttpRequest_NotAllowed()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("http")));

        Assert.Equal(PluginErrorKind.HttpNotAllowed, error.Kind);
        Assert.Contains("http_request to host 'example.invalid' is not allowed", error.Message);
        Assert.Contains("allowed_hosts: none", error.Message);
    }

    [Fact]
    public void LogInfo_ReachesCallLogger()
    {
        var logger = new CapturingLogger();

        Engine.Call(_abi, EngineFixture.Call("log", log: logger));

        (LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, level);
        Assert.Contains("hello from the plugin", message);
    }

    [Fact]
    public void WasiStdout_ReachesCallLogger()
    {
        var logger = new CapturingLogger();

        Engine.Call(_abi, EngineFixture.Call("print", log: logger));

        (_, string message) = Assert.Single(logger.Entries);
        Assert.Contains("stdout", message);
        Assert.Contains("hello from the plugin", message);
    }

    [Fact]
    public void Agents_NeverShareInstanceState()
    {
        Assert.Equal(1, Counter("agent-a"));
        Assert.Equal(2, Counter("agent-a"));
        Assert.Equal(1, Counter("agent-b"));
        Assert.Equal(3, Counter("agent-a"));
        Assert.Equal(2, Counter("agent-b"));
    }

    [Fact]
    public void Agents_IsolatedWhenPoolHoldsOne()
    {
        using var fixture = new EngineFixture(instancesPerPlugin: 1);
        using PluginModule module = fixture.Load("abi");

        long CounterOf(string agent) => ReadU64(fixture.Engine.Call(module, EngineFixture.Call("counter", agentId: agent)).Output);

        Assert.Equal(1, CounterOf("agent-a"));
        Assert.Equal(1, CounterOf("agent-b"));
        Assert.Equal(1, CounterOf("agent-a"));
    }

    [Fact]
    public void Trap_DiscardsInstanceState()
    {
        Assert.Equal(1, Counter("agent-a"));
        Assert.Equal(2, Counter("agent-a"));

        Assert.Throws<PluginException>(() => Engine.Call(_abi, EngineFixture.Call("trap")));

        Assert.Equal(1, Counter("agent-a"));
    }

    [Fact]
    public void Unload_DropsWarmInstances()
    {
        Assert.Equal(1, Counter("agent-a"));

        Engine.Unload(_abi);

        Assert.Equal(1, Counter("agent-a"));
    }

    [Fact]
    public async Task ConcurrentCalls_KeepAgentsApart()
    {
        string[] agents = ["a1", "a2", "a3", "a4", "a5", "a6"];

        Task<long[]>[] runs = agents
            .Select(agent => Task.Run(() => Enumerable.Range(0, 200).Select(_ => Counter(agent)).ToArray()))
            .ToArray();
        long[][] results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));

        foreach (long[] counts in results)
        {
            // A counter that restarted means a new instance (pool eviction); it never jumps ahead.
            for (int i = 1; i < counts.Length; i++)
            {
                Assert.True(counts[i] == counts[i - 1] + 1 || counts[i] == 1, $"count went from {counts[i - 1]} to {counts[i]}");
            }
        }
    }

    private long Counter(string agentId)
    {
        return ReadU64(Engine.Call(_abi, EngineFixture.Call("counter", agentId: agentId)).Output);
    }

    private static long ReadU64(byte[] output)
    {
        Assert.Equal(8, output.Length);
        return BinaryPrimitives.ReadInt64LittleEndian(output);
    }
}
