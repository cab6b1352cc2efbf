using McpZero.Server;
using McpZero.Server.Systemd;

namespace McpZero.UnitTests.Server;

/// <summary>
/// The cgroup v2 and RLIMIT_NOFILE reader, the sizing built on it and the watchdog variables,
/// given sample file contents and made-up cgroup trees, so no root or systemd is needed.
/// </summary>
public sealed class ResourceLimitsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mz-limits-" + Guid.NewGuid().ToString("N")[..10]);

    public ResourceLimitsTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("0::/system.slice/mcpzero.service\n", "/system.slice/mcpzero.service")]
    [InlineData("0::/\n", "/")]
    [InlineData("12:memory:/user.slice\n1:name=systemd:/user.slice/x.scope\n0::/user.slice/x.scope\n", "/user.slice/x.scope")]
    [InlineData("4:memory:/docker/abc\n1:cpu:/\n", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void CgroupPathParsedFromProcSelfCgroup(string? contents, string? expected)
    {
        Assert.Equal(expected, ResourceLimits.ParseCgroupPath(contents));
    }

    [Theory]
    [InlineData("867172352\n", 867172352L)]
    [InlineData("max\n", null)]
    [InlineData("", null)]
    [InlineData("-1\n", null)]
    [InlineData("lots", null)]
    public void MemoryLimitParsed(string contents, long? expected)
    {
        Assert.Equal(expected, ResourceLimits.ParseLimit(contents));
    }

    [Fact]
    public void CpuMaxParsedAsPercentOfOneCpu()
    {
        CpuQuota? quota = ResourceLimits.ParseCpuMax("27000 100000\n");

        Assert.NotNull(quota);
        Assert.Equal(27000, quota.QuotaMicros);
        Assert.Equal(100000, quota.PeriodMicros);
        Assert.Equal(27.0, quota.PercentOfOneCpu, precision: 6);
    }

    [Theory]
    [InlineData("max 100000\n")]
    [InlineData("27000\n")]
    [InlineData("0 100000\n")]
    [InlineData("a b\n")]
    [InlineData(null)]
    public void CpuMaxWithoutQuotaIsNoLimit(string? contents)
    {
        Assert.Null(ResourceLimits.ParseCpuMax(contents));
    }

    [Fact]
    public void ReadTakesFilesOfOwnCgroup()
    {
        string procFile = WriteFile("proc-self-cgroup", "0::/system.slice/mcpzero.service\n");
        string cgroup = Path.Combine(_root, "cgroup", "system.slice", "mcpzero.service");
        WriteFile(Path.Combine(cgroup, "cgroup.controllers"), "cpu memory pids\n");
        WriteFile(Path.Combine(cgroup, "memory.max"), "867172352\n");
        WriteFile(Path.Combine(cgroup, "memory.high"), "754974720\n");
        WriteFile(Path.Combine(cgroup, "cpu.max"), "27000 100000\n");

        ResourceLimits limits = ResourceLimits.Read(procFile, Path.Combine(_root, "cgroup"), (4096, 8192));

        Assert.Equal("/system.slice/mcpzero.service", limits.CgroupPath);
        Assert.Equal(867172352L, limits.MemoryMaxBytes);
        Assert.Equal(754974720L, limits.MemoryHighBytes);
        Assert.Equal(new CpuQuota(27000, 100000), limits.Cpu);
        Assert.Equal(4096L, limits.OpenFilesSoft);
        Assert.Equal(8192L, limits.OpenFilesHard);
    }

    [Fact]
    public void ReadFindsHybridUnifiedMount()
    {
        string procFile = WriteFile("proc-self-cgroup", "4:memory:/a\n0::/a\n");
        string cgroup = Path.Combine(_root, "cgroup", "unified", "a");
        WriteFile(Path.Combine(cgroup, "cgroup.controllers"), "");
        WriteFile(Path.Combine(cgroup, "memory.max"), "max\n");
        WriteFile(Path.Combine(cgroup, "cpu.max"), "50000 100000\n");

        ResourceLimits limits = ResourceLimits.Read(procFile, Path.Combine(_root, "cgroup"), (null, null));

        Assert.Null(limits.MemoryMaxBytes);
        Assert.Null(limits.MemoryHighBytes);
        Assert.Equal(50.0, limits.Cpu?.PercentOfOneCpu);
    }

    [Fact]
    public void ReadWithoutCgroupV2ReportsNoLimits()
    {
        string procFile = WriteFile("proc-self-cgroup", "4:memory:/a\n");

        ResourceLimits limits = ResourceLimits.Read(procFile, Path.Combine(_root, "cgroup"), (1024, 1024));

        Assert.Null(limits.CgroupPath);
        Assert.Null(limits.MemoryMaxBytes);
        Assert.Null(limits.Cpu);
        Assert.Equal(1024L, limits.OpenFilesSoft);
    }

    [Fact]
    public void OpenFilesLimitMatchesProcLimits()
    {
        string line = File.ReadLines("/proc/self/limits").Single(line => line.StartsWith("Max open files", StringComparison.Ordinal));
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        (long? soft, long? hard) = ResourceLimits.ReadOpenFilesLimit();

        Assert.Equal(fields[3], soft?.ToString() ?? "unlimited");
        Assert.Equal(fields[4], hard?.ToString() ?? "unlimited");
    }

    [Theory]
    [InlineData(2, 0L, 0L, 2)]
    [InlineData(2, 27000L, 100000L, 1)]
    [InlineData(4, 150000L, 100000L, 2)]
    [InlineData(1, 400000L, 100000L, 1)]
    public void ExecutionsCappedToQuotaCores(int configured, long quota, long period, int expected)
    {
        CpuQuota? cpu = quota == 0 ? null : new CpuQuota(quota, period);
        Assert.Equal(expected, ResourceSizing.CapExecutions(configured, cpu));
    }

    [Theory]
    [InlineData(256, null, 256)]
    [InlineData(256, 65536L, 256)]
    [InlineData(256, 200L, 72)]
    [InlineData(10, 200L, 10)]
    [InlineData(256, 129L, 1)]
    public void ConnectionsCappedBelowOpenFilesLimit(int configured, long? openFiles, int expected)
    {
        Assert.Equal(expected, ResourceSizing.CapConnections(configured, openFiles));
    }

    [Fact]
    public void OpenFilesLimitBelowReserveRejectsStart()
    {
        var ex = Assert.Throws<ServerStartException>(() => ResourceSizing.CapConnections(256, 128));

        Assert.Contains("RLIMIT_NOFILE=128", ex.Message);
        Assert.Contains("LimitNOFILE=", ex.Message);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(867172352L, false)]
    [InlineData(256L * 1024 * 1024 + 64 * 1024 * 1024, false)]
    [InlineData(256L * 1024 * 1024 + 64 * 1024 * 1024 - 1, true)]
    [InlineData(128L * 1024 * 1024, true)]
    public void MemoryMaxComparedWithHeapLimit(long? memoryMax, bool tooLow)
    {
        Assert.Equal(tooLow, ResourceSizing.IsMemoryMaxTooLow(memoryMax, 256L * 1024 * 1024));
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("30000000", "x", null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData(null, null, null)]
    public void WatchdogIntervalReadFromVariables(string? usec, string? pid, double? expectedSeconds)
    {
        TimeSpan? interval = SystemdNotifyService.ReadWatchdogInterval(usec, pid, processId: 4242);

        Assert.Equal(expectedSeconds, interval?.TotalSeconds);
    }

    private string WriteFile(string relativePath, string contents)
    {
        string path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        return path;
    }
}
