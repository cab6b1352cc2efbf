using System.Globalization;
using System.Runtime.InteropServices;

namespace McpZero.Perf.Load;

/// <summary>CPU time and memory of another process, read from /proc.</summary>
internal static partial class ProcessStats
{
    private const int SysconfClockTicks = 2;

    private static readonly long ClockTicksPerSecond = ReadClockTicksPerSecond();

    /// <summary>
    /// Returns user plus system CPU time of the process in seconds, from fields 14 and 15 of
    /// /proc/PID/stat. Those fields count every thread of the process, including exited ones.
    /// </summary>
    public static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in brackets and may contain spaces, so count from its end.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long userTicks = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long systemTicks = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (double)(userTicks + systemTicks) / ClockTicksPerSecond;
    }

    /// <summary>Returns VmRSS of the process in bytes, or -1 when the process is gone.</summary>
    public static long ResidentBytes(int pid) => ReadStatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>Returns VmHWM (peak resident set) of the process in bytes, or -1 when the process is gone.</summary>
    public static long PeakResidentBytes(int pid) => ReadStatusKilobytes(pid, "VmHWM:") * 1024;

    private static long ReadStatusKilobytes(int pid, string key)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return -1;
        }

        foreach (string line in lines)
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                string value = line[key.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ')], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    private static long ReadClockTicksPerSecond()
    {
        long ticks = sysconf(SysconfClockTicks);
        return ticks > 0 ? ticks : 100;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long sysconf(int name);
}
