using System.Globalization;
using System.Text;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>
/// The memory ceiling and execution admission of the real daemon under floods of requests: rejections
/// are Busy or ResourceExhausted with their figures, and the daemon keeps serving.
/// </summary>
public sealed class GovernanceTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task GreedyAgentDoesNotStarvePoliteAgent()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["MCPZERO__MAXQUEUEDPERAGENT"] = "4",
            ["MCPZERO__QUEUETIMEOUTMS"] = "60000",
        });
        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        string greedy = await daemon.OkAsync("agent", "spawn", "--owner", "greedy", "--timeout-ms", "50", "--plugin", "misbehave");
        string polite = await daemon.OkAsync("agent", "spawn", "--owner", "polite", "--plugin", "misbehave");
        await using McpZeroClient greedyClient = await daemon.ConnectAsync();
        await using McpZeroClient politeClient = await daemon.ConnectAsync();

        // 40 spin calls at once: one runs and at most four wait, so the others find the agent's queue full
        // unless a call finished before they arrived.
        Task<IResponse>[] flood = Enumerable.Range(0, 40)
            .Select(_ => greedyClient.SendAsync(Exec(greedy, "spin", [])).WaitAsync(RequestTimeout))
            .ToArray();

        var politeOutputs = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            IResponse response = await politeClient.SendAsync(Exec(polite, "echo", Encoding.UTF8.GetBytes($"polite {i}"))).WaitAsync(RequestTimeout);
            politeOutputs.Add(response is ExecResponse exec ? Encoding.UTF8.GetString(exec.Output) : Describe(response));
        }

        IResponse[] greedyResponses = await Task.WhenAll(flood);

        Assert.Equal(["polite 0", "polite 1", "polite 2"], politeOutputs);
        ErrorResponse[] errors = greedyResponses.OfType<ErrorResponse>().ToArray();
        Assert.Equal(greedyResponses.Length, errors.Length);
        Assert.All(errors, error => Assert.True(error.Code is ErrorCode.PluginTimeout or ErrorCode.Busy, Describe(error)));

        ErrorResponse[] busy = errors.Where(error => error.Code == ErrorCode.Busy).ToArray();
        Assert.NotEmpty(busy);
        Assert.All(busy, error => Assert.Contains($"the execution queue of agent '{greedy}' is full", error.Message));
        Assert.All(busy, error => Assert.Contains("MaxQueuedPerAgent=4", error.Message));
        Assert.All(busy, error => Assert.True(error.RetryAfterMilliseconds > 0, Describe(error)));
        Assert.Contains(errors, error => error.Code == ErrorCode.PluginTimeout);
    }

    [Fact]
    public async Task StatusShowsMemoryPlanAndCpuBudget()
    {
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["MCPZERO__CPUBUDGETPERCENT"] = "40",
        });

        await using McpZeroClient client = await daemon.ConnectAsync();
        StatusResponse status = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(RequestTimeout);
        string table = await daemon.OkAsync("status");

        Assert.Equal(827_000_000, status.MemoryCeilingBytes);
        Assert.Equal(827_000_000 - status.GcHeapHardLimitBytes - 128L * 1024 * 1024, status.WasmMemoryBudgetBytes);
        Assert.Equal(40, status.CpuBudgetPercent);
        Assert.Contains("40% of one core", table);
        Assert.Contains("WebAssembly memory budget", daemon.Log);
    }

    [Fact]
    public async Task CeilingTooSmallStopsStartup()
    {
        string directory = TestPaths.NewTestDirectory();
        try
        {
            CliResult result = await Daemon.RunBinaryAsync(
                ["serve", "--socket", Path.Combine(directory, "s.sock"), "--data", Path.Combine(directory, "data")],
                environment: new Dictionary<string, string> { ["MCPZERO__MEMORYCEILINGBYTES"] = "300000000" });

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("MemoryCeilingBytes=300000000 is too small", result.Stderr);
            Assert.Contains("raise MemoryCeilingBytes to at least", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [RequiresWritableMemoryCgroupFact]
    public async Task MemoryFloodStaysUnderCeiling()
    {
        const long Ceiling = 300_000_000;
        await using Daemon daemon = await Daemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["MCPZERO__MEMORYCEILINGBYTES"] = Ceiling.ToString(CultureInfo.InvariantCulture),
            // 80 MiB in bare hexadecimal, as the runtime reads it.
            ["DOTNET_GCHeapHardLimit"] = "5000000",
            ["MCPZERO__DEFAULTMEMORYMB"] = "16",
            ["MCPZERO__MAXQUEUEDPERAGENT"] = "4",
            ["MCPZERO__QUEUETIMEOUTMS"] = "3000",
        });
        using var cgroup = MemoryCgroup.Create(Ceiling);
        cgroup.Add(daemon.ProcessId);

        await using McpZeroClient client = await daemon.ConnectAsync();
        StatusResponse before = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(RequestTimeout);
        long budget = before.WasmMemoryBudgetBytes;
        Assert.Equal(Ceiling - 80L * 1024 * 1024 - 128L * 1024 * 1024, budget);

        await daemon.OkAsync("plugin", "install", TestPaths.TestPlugin("misbehave"));
        var agents = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            agents.Add(await daemon.OkAsync("agent", "spawn", "--owner", "flood", "--memory-mb", i % 2 == 0 ? "16" : "40", "--plugin", "misbehave"));
        }

        // One agent requests more than the whole budget: 100 MiB against about 78 MiB.
        string oversized = await daemon.OkAsync("agent", "spawn", "--owner", "flood", "--memory-mb", "100", "--plugin", "misbehave");

        // Each agent grows its memory to its limit several times at once, with 256 KiB inputs.
        byte[] largeInput = new byte[256 * 1024];
        Random.Shared.NextBytes(largeInput);
        Task<IResponse>[] flood = agents
            .SelectMany(agent => Enumerable.Range(0, 6).Select(_ => client.SendAsync(Exec(agent, "grow", largeInput)).WaitAsync(RequestTimeout)))
            .Append(client.SendAsync(Exec(oversized, "grow", largeInput)).WaitAsync(RequestTimeout))
            .ToArray();
        IResponse[] responses = await Task.WhenAll(flood);

        ErrorResponse[] errors = responses.OfType<ErrorResponse>().ToArray();
        Assert.Equal(responses.Length, errors.Length);
        Assert.All(errors, error => Assert.True(
            error.Code is ErrorCode.PluginError or ErrorCode.PluginOutOfMemory or ErrorCode.ResourceExhausted or ErrorCode.Busy,
            Describe(error)));

        ErrorResponse refused = Assert.IsType<ErrorResponse>(responses[^1]);
        Assert.Equal(ErrorCode.ResourceExhausted, refused.Code);
        Assert.Contains("the WebAssembly memory budget is spent", refused.Message);
        Assert.Contains($"requested {100L * 1024 * 1024} bytes", refused.Message);
        Assert.Contains($"budget of {budget} bytes", refused.Message);
        Assert.Contains("grow failed", errors.First(error => error.Code == ErrorCode.PluginError).Message);

        // The daemon survived and still serves a normal call.
        string survivor = await daemon.OkAsync("agent", "spawn", "--owner", "after", "--plugin", "misbehave");
        IResponse echo = await client.SendAsync(Exec(survivor, "echo", Encoding.UTF8.GetBytes("still here"))).WaitAsync(RequestTimeout);
        Assert.Equal("still here", Encoding.UTF8.GetString(Assert.IsType<ExecResponse>(echo).Output));

        StatusResponse after = await client.RequestAsync<StatusResponse>(new StatusRequest()).WaitAsync(RequestTimeout);
        Assert.InRange(after.WasmMemoryReservedBytes, 0, budget);
        Assert.InRange(ReadPeakResidentBytes(daemon.ProcessId), 1, Ceiling - 1);
        Assert.Equal(0, cgroup.ReadOomKills());
    }

    private static AgentExecRequest Exec(string agentId, string method, byte[] input) =>
        new() { AgentId = agentId, Method = method, Input = input };

    private static string Describe(IResponse response) => response switch
    {
        ErrorResponse error => $"{error.Code}: {error.Message} (retry after {error.RetryAfterMilliseconds} ms)",
        _ => response.GetType().Name,
    };

    // VmHWM, the peak resident set size, in bytes.
    private static long ReadPeakResidentBytes(int processId)
    {
        string line = File.ReadLines($"/proc/{processId}/status").First(line => line.StartsWith("VmHWM:", StringComparison.Ordinal));
        string kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
        return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>A cgroup v1 memory group of its own, removed on dispose once its processes have exited.</summary>
internal sealed class MemoryCgroup : IDisposable
{
    public const string Root = "/sys/fs/cgroup/memory";

    private MemoryCgroup(string path) => Path = path;

    public string Path { get; }

    public static MemoryCgroup Create(long limitBytes)
    {
        string path = System.IO.Path.Combine(Root, "mcpzero-it-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path);
        var group = new MemoryCgroup(path);
        File.WriteAllText(System.IO.Path.Combine(path, "memory.limit_in_bytes"), limitBytes.ToString(CultureInfo.InvariantCulture));
        return group;
    }

    public void Add(int processId) =>
        File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.procs"), processId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Returns the oom_kill count of memory.oom_control, or 0 when the kernel does not report it.</summary>
    public int ReadOomKills()
    {
        foreach (string line in File.ReadLines(System.IO.Path.Combine(Path, "memory.oom_control")))
        {
            if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
            {
                return int.Parse(line["oom_kill ".Length..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public void Dispose()
    {
        // The daemon is killed after this group is disposed, so its pid moves back to the root group first.
        foreach (string pid in File.ReadAllLines(System.IO.Path.Combine(Path, "cgroup.procs")))
        {
            File.WriteAllText(System.IO.Path.Combine(Root, "cgroup.procs"), pid);
        }

        Directory.Delete(Path);
    }
}

/// <summary>A fact that is skipped, with the reason, when no cgroup v1 memory group can be created.</summary>
internal sealed class RequiresWritableMemoryCgroupFactAttribute : FactAttribute
{
    public RequiresWritableMemoryCgroupFactAttribute()
    {
        string probe = Path.Combine(MemoryCgroup.Root, "mcpzero-probe-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Skip = $"cannot create a cgroup v1 memory group under {MemoryCgroup.Root} ({ex.Message}); run the tests as root on a host with the cgroup v1 memory controller";
        }
    }
}
