using System.Reflection;

namespace McpZero.Server;

public static class ServerInfo
{
    /// <summary>The product version with the short commit id it was built from, such as <c>0.1.0+95688d8</c>.</summary>
    public static string Version { get; } = ShortenCommit(
        typeof(ServerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    // The SDK appends the full 40-character commit id after '+'; seven characters identify it.
    private static string ShortenCommit(string version)
    {
        int plus = version.IndexOf('+');
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }
}

/// <summary>Counters shared by the listener and the dispatcher.</summary>
internal sealed class ServerState
{
    private int _connections;

    /// <summary>Request latencies, plugin execution times and error responses.</summary>
    public Metrics.DaemonMetrics Metrics { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    public int ConnectionOpened() => Interlocked.Increment(ref _connections);

    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);
}

/// <summary>Reads the process's resident set from /proc.</summary>
public static class ProcessMemory
{
    /// <summary>Returns the current and peak resident set size in bytes (VmRSS and VmHWM).</summary>
    public static (long Resident, long Peak) Read()
    {
        long resident = 0;
        long peak = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                resident = ParseKilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = ParseKilobytes(line);
            }
        }

        return (resident, peak);
    }

    private static long ParseKilobytes(string line)
    {
        ReadOnlySpan<char> value = line.AsSpan(line.IndexOf(':') + 1).Trim();
        int space = value.IndexOf(' ');
        return long.Parse(space < 0 ? value : value[..space]) * 1024;
    }
}
