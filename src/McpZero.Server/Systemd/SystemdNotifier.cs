using System.Net.Sockets;
using System.Text;

namespace McpZero.Server.Systemd;

/// <summary>
/// Sends sd_notify(3) state messages, such as <c>READY=1</c> or <c>WATCHDOG=1</c>, to the
/// datagram socket that systemd names in <c>NOTIFY_SOCKET</c>.
/// </summary>
/// <remarks>
/// Written here instead of using Microsoft.Extensions.Hosting.Systemd, which only switches on when
/// PID 1 or the parent process is named systemd and so stays silent under
/// <c>ProtectProc=invisible</c> or behind a wrapper. This class needs only the variable.
/// </remarks>
internal sealed class SystemdNotifier
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly UnixDomainSocketEndPoint _endPoint;

    private SystemdNotifier(string socketPath, UnixDomainSocketEndPoint endPoint)
    {
        SocketPath = socketPath;
        _endPoint = endPoint;
    }

    /// <summary>The value of <c>NOTIFY_SOCKET</c>: a path, or an abstract socket name starting with '@'.</summary>
    public string SocketPath { get; }

    /// <summary>Creates a notifier when <c>NOTIFY_SOCKET</c> is set, else returns null.</summary>
    /// <exception cref="ServerStartException">The variable is set but is not a usable socket address.</exception>
    public static SystemdNotifier? FromEnvironment()
    {
        string? socketPath = Environment.GetEnvironmentVariable(SocketVariable);
        if (string.IsNullOrEmpty(socketPath))
        {
            return null;
        }

        // A leading '@' names a socket in the abstract namespace, which the kernel spells with a NUL byte.
        string address = socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath;
        try
        {
            return new SystemdNotifier(socketPath, new UnixDomainSocketEndPoint(address));
        }
        catch (ArgumentException ex)
        {
            throw new ServerStartException($"{SocketVariable}='{socketPath}' is not a usable Unix socket address: {ex.Message}", ex);
        }
    }

    /// <summary>Sends one message of newline-separated <c>KEY=VALUE</c> assignments in one datagram.</summary>
    /// <exception cref="SocketException">Nothing receives on the socket, or sending failed.</exception>
    public void Notify(string state)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
    }
}
