using System.Globalization;
using System.Runtime.InteropServices;

namespace McpZero.Server.Systemd;

/// <summary>
/// The limits the service manager set on this process: the cgroup v2 controls of its own cgroup
/// (systemd's <c>MemoryMax=</c>, <c>MemoryHigh=</c> and <c>CPUQuota=</c>) and RLIMIT_NOFILE
/// (<c>LimitNOFILE=</c>). A null value means no limit, or no cgroup v2 file to read it from.
/// </summary>
internal sealed partial record ResourceLimits(
    string? CgroupPath,
    long? MemoryMaxBytes,
    long? MemoryHighBytes,
    CpuQuota? Cpu,
    long? OpenFilesSoft,
    long? OpenFilesHard)
{
    public const string ProcSelfCgroup = "/proc/self/cgroup";
    public const string CgroupMount = "/sys/fs/cgroup";

    private const int RlimitNofile = 7;

    /// <summary>Reads the limits of the current process; a file that cannot be read counts as no limit.</summary>
    public static ResourceLimits Read()
    {
        ResourceLimits limits = Read(ProcSelfCgroup, CgroupMount, ReadOpenFilesLimit());
        return limits.Cpu is null ? limits with { Cpu = ReadCgroupV1CpuQuota(ProcSelfCgroup, CgroupMount) } : limits;
    }

    /// <summary>Reads the cgroup limits from the given files, so that tests can pass a made-up tree.</summary>
    public static ResourceLimits Read(string procSelfCgroup, string cgroupMount, (long? Soft, long? Hard) openFiles)
    {
        string? cgroupPath = ParseCgroupPath(ReadText(procSelfCgroup));
        string? directory = cgroupPath is null ? null : FindCgroupDirectory(cgroupMount, cgroupPath);
        if (directory is null)
        {
            return new ResourceLimits(cgroupPath, null, null, null, openFiles.Soft, openFiles.Hard);
        }

        return new ResourceLimits(
            cgroupPath,
            ParseLimit(ReadText(Path.Combine(directory, "memory.max"))),
            ParseLimit(ReadText(Path.Combine(directory, "memory.high"))),
            ParseCpuMax(ReadText(Path.Combine(directory, "cpu.max"))),
            openFiles.Soft,
            openFiles.Hard);
    }

    /// <summary>
    /// Returns the cgroup v2 path from the contents of /proc/self/cgroup: the line <c>0::/path</c>.
    /// Lines of cgroup v1 hierarchies, which have a non-zero id, are skipped.
    /// </summary>
    public static string? ParseCgroupPath(string? contents)
    {
        if (contents is null)
        {
            return null;
        }

        foreach (string line in contents.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                string path = line[3..];
                return path.StartsWith('/') ? path : null;
            }
        }

        return null;
    }

    /// <summary>Parses a memory.max or memory.high file: a byte count, or <c>max</c> for no limit.</summary>
    public static long? ParseLimit(string? contents)
    {
        string? text = contents?.Trim();
        if (string.IsNullOrEmpty(text) || text == "max")
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : null;
    }

    /// <summary>Parses cpu.max: <c>QUOTA PERIOD</c> in microseconds, where a quota of <c>max</c> means no limit.</summary>
    public static CpuQuota? ParseCpuMax(string? contents)
    {
        string[] fields = contents?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (fields.Length != 2 || fields[0] == "max")
        {
            return null;
        }

        bool valid = long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long quota)
            & long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long period);
        return valid && quota > 0 && period > 0 ? new CpuQuota(quota, period) : null;
    }

    /// <summary>
    /// Raises the soft RLIMIT_NOFILE to the hard one, as the JIT-based .NET runtime does at start-up
    /// and Native AOT does not. systemd's default of soft 1024 and a high hard limit expects a
    /// program that does not use select(2) to do this itself.
    /// </summary>
    /// <returns>False when the limit is already raised or setrlimit failed; the soft limit then stays.</returns>
    public static bool RaiseOpenFilesSoftLimit()
    {
        if (GetRlimit(RlimitNofile, out Rlimit limit) != 0 || limit.Current >= limit.Maximum)
        {
            return false;
        }

        limit.Current = limit.Maximum;
        return SetRlimit(RlimitNofile, in limit) == 0;
    }

    /// <summary>Reads RLIMIT_NOFILE; RLIM_INFINITY and a failed call are returned as null.</summary>
    public static (long? Soft, long? Hard) ReadOpenFilesLimit()
    {
        if (GetRlimit(RlimitNofile, out Rlimit limit) != 0)
        {
            return (null, null);
        }

        return (ToLimit(limit.Current), ToLimit(limit.Maximum));
    }

    // The cgroup v2 tree is mounted at /sys/fs/cgroup, or at /sys/fs/cgroup/unified on a host with
    // the hybrid layout of cgroup v1 and v2. A cgroup without controllers has no memory.max there.
    private static string? FindCgroupDirectory(string cgroupMount, string cgroupPath)
    {
        string relative = cgroupPath.TrimStart('/');
        foreach (string root in new[] { cgroupMount, Path.Combine(cgroupMount, "unified") })
        {
            string directory = Path.Combine(root, relative);
            if (File.Exists(Path.Combine(directory, "cgroup.controllers")))
            {
                return directory;
            }
        }

        return null;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ToLimit(ulong value) => value > long.MaxValue ? null : (long)value;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);
}

/// <summary>A cgroup v2 CPU bandwidth limit: <paramref name="QuotaMicros"/> of CPU time in every <paramref name="PeriodMicros"/>.</summary>
internal sealed record CpuQuota(long QuotaMicros, long PeriodMicros)
{
    /// <summary>The limit as a percentage of one CPU, as systemd's <c>CPUQuota=</c> spells it.</summary>
    public double PercentOfOneCpu => 100.0 * QuotaMicros / PeriodMicros;
}
