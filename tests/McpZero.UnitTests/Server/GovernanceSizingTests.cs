using McpZero.Server;
using McpZero.Server.Systemd;

namespace McpZero.UnitTests.Server;

/// <summary>The memory plan derived from the ceiling, the cgroup v1 CPU quota and the CPU budget cap.</summary>
public sealed class GovernanceSizingTests : IDisposable
{
    private const long Mebibyte = 1024 * 1024;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "mz-governance-" + Guid.NewGuid().ToString("N")[..10]);

    public GovernanceSizingTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void DefaultCeilingLeavesWasmBudget()
    {
        MemoryPlan plan = MemoryPlan.Derive(MemoryPlan.DefaultCeilingBytes, 256 * Mebibyte, 64 * Mebibyte);

        Assert.Equal(827_000_000, plan.CeilingBytes);
        Assert.Equal(8 * Mebibyte, plan.StoreLogMemoryBytes);
        Assert.Equal(827_000_000 - 256 * Mebibyte - MemoryPlan.FixedNativeReserveBytes, plan.WasmBudgetBytes);
        Assert.Equal(64 * Mebibyte, plan.QueuedInputBytes);
    }

    [Fact]
    public void SmallCeilingShrinksStoreLog()
    {
        MemoryPlan plan = MemoryPlan.Derive(300_000_000, 80 * Mebibyte, 16 * Mebibyte);

        Assert.Equal(4 * Mebibyte, plan.StoreLogMemoryBytes);
        Assert.Equal(300_000_000 - 80 * Mebibyte - MemoryPlan.FixedNativeReserveBytes, plan.WasmBudgetBytes);
    }

    [Fact]
    public void CeilingTooSmallNamesFigures()
    {
        var error = Assert.Throws<ServerStartException>(() => MemoryPlan.Derive(400_000_000, 256 * Mebibyte, 64 * Mebibyte));

        Assert.Contains("MemoryCeilingBytes=400000000", error.Message);
        Assert.Contains($"{256 * Mebibyte} bytes", error.Message);
        Assert.Contains($"{MemoryPlan.FixedNativeReserveBytes} bytes", error.Message);
        Assert.Contains($"at least {256 * Mebibyte + MemoryPlan.FixedNativeReserveBytes + 64 * Mebibyte}", error.Message);
    }

    [Fact]
    public void GcLimitTooSmallForStoreIsRejected()
    {
        var error = Assert.Throws<ServerStartException>(() => MemoryPlan.Derive(827_000_000, 16 * Mebibyte, 64 * Mebibyte));

        Assert.Contains("state store", error.Message);
    }

    [Theory]
    [InlineData("4:cpu,cpuacct:/process_api/x\n0::/\n", "cpu", "/process_api/x")]
    [InlineData("2:cpuacct:/a\n1:cpu:/b\n", "cpu", "/b")]
    [InlineData("0::/only-v2\n", "cpu", null)]
    [InlineData("", "cpu", null)]
    public void CgroupV1PathParsed(string contents, string controller, string? expected)
    {
        Assert.Equal(expected, ResourceLimits.ParseCgroupV1Path(contents, controller));
    }

    [Theory]
    [InlineData("27000", "100000", 27.0)]
    [InlineData("-1", "100000", null)]
    public void CgroupV1QuotaRead(string quota, string period, double? expectedPercent)
    {
        string procSelfCgroup = Path.Combine(_root, "cgroup");
        File.WriteAllText(procSelfCgroup, "3:memory:/m\n2:cpu,cpuacct:/box\n0::/\n");
        string directory = Path.Combine(_root, "cpu,cpuacct", "box");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "cpu.cfs_quota_us"), quota + "\n");
        File.WriteAllText(Path.Combine(directory, "cpu.cfs_period_us"), period + "\n");

        CpuQuota? read = ResourceLimits.ReadCgroupV1CpuQuota(procSelfCgroup, _root);

        Assert.Equal(expectedPercent, read?.PercentOfOneCpu);
    }

    [Theory]
    [InlineData(27, null, 27)]
    [InlineData(27, 50_000L, 27)]
    [InlineData(80, 50_000L, 50)]
    public void CpuBudgetCappedByQuota(double configured, long? quotaMicros, double expected)
    {
        CpuQuota? quota = quotaMicros is long micros ? new CpuQuota(micros, 100_000) : null;

        Assert.Equal(expected, ResourceSizing.CapCpuBudget(configured, quota));
    }
}
