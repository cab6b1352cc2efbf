using McpZero.Server.Metrics;

namespace McpZero.UnitTests.Metrics;

public sealed class ProcessCpuTests
{
    [Fact]
    public void ParseAddsUserAndSystemTicks()
    {
        // A real line's shape: pid (comm) state ppid ... utime=14 stime=15 ...
        string line = "4242 (mcpzero) S 1 4242 4242 0 -1 4194560 1200 0 0 0 1234 567 0 0 20 0 9 0 100 0 0";

        Assert.Equal(1234 + 567, ProcessCpu.ParseCpuTicks(line));
    }

    [Fact]
    public void ParseHandlesSpacesAndParenthesesInName()
    {
        string line = "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 0 0";

        Assert.Equal(30, ProcessCpu.ParseCpuTicks(line));
    }

    [Fact]
    public void ParseRejectsTruncatedLine()
    {
        Assert.Throws<FormatException>(() => ProcessCpu.ParseCpuTicks("7 (x) R 1 2 3"));
        Assert.Throws<FormatException>(() => ProcessCpu.ParseCpuTicks("no name here"));
    }

    [Fact]
    public void ParseReadsThisProcess()
    {
        long ticks = ProcessCpu.ParseCpuTicks(File.ReadAllText("/proc/self/stat"));

        Assert.True(ticks >= 0);
    }

    [Theory]
    [InlineData(100, 100, 1.0, 100.0)]
    [InlineData(27, 100, 1.0, 27.0)]
    [InlineData(50, 100, 2.0, 25.0)]
    [InlineData(300, 100, 1.0, 300.0)]
    [InlineData(1, 250, 0.5, 0.8)]
    [InlineData(0, 100, 5.0, 0.0)]
    public void PercentOfOneCoreFromTickDelta(long ticks, long ticksPerSecond, double seconds, double expected)
    {
        double percent = ProcessCpu.PercentOfOneCore(ticks, ticksPerSecond, TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, percent, precision: 9);
    }

    [Fact]
    public void EmptyIntervalGivesZero()
    {
        Assert.Equal(0, ProcessCpu.PercentOfOneCore(10, 100, TimeSpan.Zero));
    }

    [Fact]
    public void TicksConvertToMicroseconds()
    {
        Assert.Equal(1_230_000, ProcessCpu.TicksToMicros(123, 100));
    }
}
