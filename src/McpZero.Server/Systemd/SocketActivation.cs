using System.Globalization;
using System.Net.Sockets;

namespace McpZero.Server.Systemd;

/// <summary>
/// A listening socket passed by systemd socket activation (sd_listen_fds(3)): the first passed
/// descriptor, 3, when <c>LISTEN_PID</c> is this process and <c>LISTEN_FDS</c> is at least 1.
/// </summary>
/// <remarks>
/// systemd owns the socket file: the daemon neither binds nor removes it, and the unit's
/// <c>SocketMode=</c> and <c>SocketGroup=</c> replace the <c>SocketMode</c> setting.
/// </remarks>
internal sealed class SocketActivation
{
    /// <summary>SD_LISTEN_FDS_START: systemd passes descriptors from 3 upwards.</summary>
    public const int FirstDescriptor = 3;

    private static readonly string[] Variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

    private SocketActivation(Socket listener, string socketPath, int passedCount)
    {
        Listener = listener;
        SocketPath = socketPath;
        PassedCount = passedCount;
    }

    /// <summary>The listening socket on descriptor 3, owned by this object until the listener disposes it.</summary>
    public Socket Listener { get; }

    /// <summary>The path the socket is bound to; an abstract name starts with '@'.</summary>
    public string SocketPath { get; }

    /// <summary>The number of descriptors systemd passed; only the first is used.</summary>
    public int PassedCount { get; }

    /// <summary>
    /// Takes the passed listening socket when the environment names this process, and removes the
    /// <c>LISTEN_*</c> variables either way, as sd_listen_fds(3) does, so no child inherits them.
    /// </summary>
    /// <returns>The passed socket, or null when the daemon was not socket-activated.</returns>
    /// <exception cref="ServerStartException">The variables are invalid or descriptor 3 is not a listening Unix stream socket.</exception>
    public static SocketActivation? TakeFromEnvironment()
    {
        string? listenPid = Environment.GetEnvironmentVariable("LISTEN_PID");
        string? listenFds = Environment.GetEnvironmentVariable("LISTEN_FDS");

        // Only the managed copy of the environment is changed. It is the one Process.Start passes
        // on, and the daemon starts no process in any other way.
        foreach (string variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        if (listenPid is null || listenFds is null)
        {
            return null;
        }

        // Variables meant for another process, such as a parent that started this one, are not ours.
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid != Environment.ProcessId)
        {
            return null;
        }

        if (!int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            throw new ServerStartException($"LISTEN_FDS='{listenFds}' is invalid for socket activation; the .socket unit must pass at least one listening socket");
        }

        Socket listener = WrapDescriptor();
        return new SocketActivation(listener, DescribePath(listener), count);
    }

    private static Socket WrapDescriptor()
    {
        Socket listener;
        try
        {
            listener = new Socket(new SafeSocketHandle(FirstDescriptor, ownsHandle: true));
        }
        catch (SocketException ex)
        {
            throw new ServerStartException($"descriptor {FirstDescriptor} passed by socket activation is not a socket ({ex.SocketErrorCode}); check ListenStream= in the .socket unit", ex);
        }

        bool listening = listener.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection) is int accepting && accepting != 0;
        if (listener.AddressFamily != AddressFamily.Unix || listener.SocketType != SocketType.Stream || !listening)
        {
            string found = $"family {listener.AddressFamily}, type {listener.SocketType}, listening {listening}";
            listener.Dispose();
            throw new ServerStartException(
                $"descriptor {FirstDescriptor} passed by socket activation is not a listening Unix stream socket ({found}); use ListenStream=/path and Accept=no in the .socket unit");
        }

        return listener;
    }

    private static string DescribePath(Socket listener)
    {
        // UnixDomainSocketEndPoint.ToString spells an abstract name with a leading '@'.
        string path = listener.LocalEndPoint?.ToString() ?? "";
        if (path.Length == 0)
        {
            listener.Dispose();
            throw new ServerStartException($"the socket passed on descriptor {FirstDescriptor} is not bound to a path; use ListenStream=/path in the .socket unit");
        }

        return path;
    }
}
