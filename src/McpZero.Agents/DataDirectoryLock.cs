using System.Globalization;
using System.Text;
using McpZero.Protocol;

namespace McpZero.Agents;

/// <summary>
/// An exclusive lock on a data directory, so that two daemons never open the same store and trace
/// log. The owner's process id is written to a separate file for the error message of the next
/// daemon, because a locked file cannot be read by another process.
/// </summary>
/// <remarks>
/// .NET implements <see cref="FileShare.None"/> on Linux with an advisory <c>flock</c>, which the
/// kernel releases when the process exits, also after a crash, so a stale lock file never blocks a
/// restart.
/// </remarks>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "mcpzero.lock";
    public const string OwnerFileName = "mcpzero.pid";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <exception cref="AgentException">Another process holds the lock.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        string ownerPath = Path.Combine(dataDirectory, OwnerFileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new AgentException(
                ErrorCode.Conflict,
                $"data directory '{dataDirectory}' is in use by another mcpzero daemon{DescribeOwner(ownerPath)}; stop it first or choose another directory with --data",
                ex);
        }

        File.WriteAllText(ownerPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n", Encoding.ASCII);
        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();

    private static string DescribeOwner(string path)
    {
        try
        {
            string pid = File.ReadAllText(path).Trim();
            return pid.Length == 0 ? "" : $" (pid {pid})";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
