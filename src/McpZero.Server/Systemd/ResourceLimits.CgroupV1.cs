namespace McpZero.Server.Systemd;

internal sealed partial record ResourceLimits
{
    /// <summary>
    /// Reads the CPU bandwidth limit of the cgroup v1 <c>cpu</c> hierarchy, for hosts without cgroup v2
    /// controllers: <c>cpu.cfs_quota_us</c> (-1 for no limit) and <c>cpu.cfs_period_us</c> of the cgroup
    /// that /proc/self/cgroup names on its <c>cpu</c> line.
    /// </summary>
    public static CpuQuota? ReadCgroupV1CpuQuota(string procSelfCgroup, string cgroupMount)
    {
        string? relative = ParseCgroupV1Path(ReadText(procSelfCgroup), "cpu")?.TrimStart('/');
        if (relative is null)
        {
            return null;
        }

        foreach (string hierarchy in new[] { "cpu", "cpu,cpuacct", "cpuacct,cpu" })
        {
            string directory = Path.Combine(cgroupMount, hierarchy, relative);
            string? quota = ReadText(Path.Combine(directory, "cpu.cfs_quota_us"));
            string? period = ReadText(Path.Combine(directory, "cpu.cfs_period_us"));
            if (quota is null || period is null)
            {
                continue;
            }

            // cgroup v1 writes -1 for no limit, where cpu.max in cgroup v2 writes "max".
            return quota.Trim() == "-1" ? null : ParseCpuMax($"{quota.Trim()} {period.Trim()}");
        }

        return null;
    }

    /// <summary>Returns the path of the cgroup v1 hierarchy that lists <paramref name="controller"/>, from /proc/self/cgroup.</summary>
    public static string? ParseCgroupV1Path(string? contents, string controller)
    {
        foreach (string line in (contents ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Lines are ID:CONTROLLERS:PATH, and the controllers are comma-separated.
            string[] fields = line.Split(':', 3);
            if (fields.Length == 3 && fields[0] != "0" && fields[1].Split(',').Contains(controller, StringComparer.Ordinal))
            {
                return fields[2].StartsWith('/') ? fields[2] : null;
            }
        }

        return null;
    }
}
