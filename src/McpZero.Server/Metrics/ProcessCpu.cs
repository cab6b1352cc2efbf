using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace McpZero.Server.Metrics;

/// <summary>
/// CPU use of this process from <c>/proc/self/stat</c>: the total since start and the percentage
/// of one core over the interval since the previous sample.
/// </summary>
/// <remarks>
/// A sample is taken only on request (a stats request, the textfile writer, a Meter listener),
/// so an idle daemon wakes for nothing. A sample less than <see cref="MinimumWindow"/>
/// after the previous one returns the previous percentage, so that two clients polling at once
/// do not split the interval into slices too short to measure in clock ticks.
/// </remarks>
internal sealed partial class ProcessCpu
{
    /// <summary>Shortest interval a new percentage is computed over.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(1);

    private const int SysconfClockTicks = 2;

    private readonly Lock _lock = new();
    private readonly long _ticksPerSecond;
    private long _previousTicks;
    private long _previousTimestamp;
    private double _percent;
    private TimeSpan _window;

    public ProcessCpu()
    {
        long ticksPerSecond = Sysconf(SysconfClockTicks);
        _ticksPerSecond = ticksPerSecond > 0 ? ticksPerSecond : 100;

        // The first interval starts with the process, when it had used no CPU time.
        StartedUtc = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        TimeSpan sinceStart = DateTime.UtcNow - StartedUtc;
        _previousTimestamp = Stopwatch.GetTimestamp() - (long)(sinceStart.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>When the process started, in UTC.</summary>
    public DateTime StartedUtc { get; }

    /// <summary>Reads the CPU time used so far and the percentage of one core over the latest interval.</summary>
    public CpuSample Sample()
    {
        long ticks = ParseCpuTicks(File.ReadAllText("/proc/self/stat"));
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            TimeSpan elapsed = Stopwatch.GetElapsedTime(_previousTimestamp, now);
            if (elapsed >= MinimumWindow || _window == TimeSpan.Zero)
            {
                _percent = PercentOfOneCore(ticks - _previousTicks, _ticksPerSecond, elapsed);
                _window = elapsed;
                _previousTicks = ticks;
                _previousTimestamp = now;
            }

            return new CpuSample(TicksToMicros(ticks, _ticksPerSecond), _percent, _window);
        }
    }

    /// <summary>
    /// Returns utime plus stime, fields 14 and 15 of a <c>/proc/PID/stat</c> line, in clock ticks.
    /// </summary>
    /// <remarks>
    /// Field 2 is the command name in parentheses and may itself contain spaces and parentheses,
    /// so the fields are counted from the last ')'.
    /// </remarks>
    /// <exception cref="FormatException">The line does not have the expected fields.</exception>
    public static long ParseCpuTicks(string statLine)
    {
        int nameEnd = statLine.LastIndexOf(')');
        if (nameEnd < 0)
        {
            throw new FormatException("the stat line has no ')' after the command name");
        }

        // After ") " come field 3 (state) onwards, so utime (field 14) is the 12th of them.
        string[] fields = statLine[(nameEnd + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13)
        {
            throw new FormatException($"the stat line has {fields.Length} fields after the command name; expected at least 13");
        }

        long userTicks = long.Parse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture);
        long systemTicks = long.Parse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture);
        return userTicks + systemTicks;
    }

    /// <summary>Returns the CPU use of <paramref name="ticks"/> clock ticks over <paramref name="elapsed"/>, in percent of one core; 0 for an empty interval.</summary>
    public static double PercentOfOneCore(long ticks, long ticksPerSecond, TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero || ticksPerSecond <= 0 || ticks <= 0)
        {
            return 0;
        }

        return ticks / (double)ticksPerSecond / elapsed.TotalSeconds * 100;
    }

    public static long TicksToMicros(long ticks, long ticksPerSecond) => ticks * 1_000_000 / ticksPerSecond;

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);
}

/// <summary>CPU time used since start, and the percentage of one core over <see cref="Window"/>.</summary>
internal readonly record struct CpuSample(long TotalMicros, double PercentOfOneCore, TimeSpan Window);
