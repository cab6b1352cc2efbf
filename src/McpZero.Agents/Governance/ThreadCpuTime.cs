using System.Runtime.InteropServices;

namespace McpZero.Agents.Governance;

/// <summary>CPU time consumed by the calling thread, from <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>.</summary>
internal static partial class ThreadCpuTime
{
    // From <time.h> on Linux.
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Returns the calling thread's user plus system CPU time, or zero when the clock cannot be read.</summary>
    public static TimeSpan Now()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out Timespec value) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks(value.Seconds * TimeSpan.TicksPerSecond + value.Nanoseconds / 100);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out Timespec value);
}
