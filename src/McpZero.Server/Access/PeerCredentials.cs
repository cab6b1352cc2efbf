using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace McpZero.Server.Access;

/// <summary>The process on the other end of a Unix socket connection, as the kernel recorded it at connect time.</summary>
internal readonly record struct PeerCredentials(int ProcessId, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>
    /// Reads SO_PEERCRED, which Linux fills with struct ucred { pid_t pid; uid_t uid; gid_t gid; }
    /// from the credentials of the peer at connect(2). Returns null when the socket has none.
    /// </summary>
    public static PeerCredentials? TryRead(Socket socket)
    {
        Span<byte> credentials = stackalloc byte[12];
        try
        {
            int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
            if (length < credentials.Length)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(credentials),
            MemoryMarshal.Read<uint>(credentials[4..]),
            MemoryMarshal.Read<uint>(credentials[8..]));
    }
}
