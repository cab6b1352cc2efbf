using System.Net.Sockets;

namespace McpZero.Server;

/// <summary>Makes a socket path ready for bind without ever taking it from a live daemon.</summary>
internal static class SocketPathGuard
{
    /// <summary>
    /// Creates the socket's directory and removes a stale socket file, but only after a connect
    /// attempt proves that nothing accepts connections on it.
    /// </summary>
    /// <exception cref="ServerStartException">A daemon accepts connections on the path, or the path is not a socket.</exception>
    public static void PrepareForBind(string socketPath)
    {
        string? directory = Path.GetDirectoryName(socketPath);
        if (!string.IsNullOrEmpty(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ServerStartException($"cannot create the socket directory '{directory}': {ex.Message}", ex);
            }
        }

        if (Directory.Exists(socketPath))
        {
            throw new ServerStartException($"socket path '{socketPath}' is a directory; choose another path with --socket");
        }

        if (!File.Exists(socketPath))
        {
            return;
        }

        if (!IsSocket(socketPath))
        {
            throw new ServerStartException($"socket path '{socketPath}' is taken by a file that is not a socket; remove it or choose another path with --socket");
        }

        if (IsAnswering(socketPath))
        {
            throw new ServerStartException($"another mcpzero daemon is already listening on '{socketPath}'; stop it first or choose another path with --socket");
        }

        File.Delete(socketPath);
    }

    private static bool IsAnswering(string socketPath)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsSocket(string path)
    {
        // .NET exposes no file type for sockets, but open(2) on a socket fails with ENXIO while a
        // regular file opens.
        try
        {
            using FileStream stream = File.OpenRead(path);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
