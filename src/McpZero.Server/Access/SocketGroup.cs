using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace McpZero.Server.Access;

/// <summary>Sets the group of the socket file, so that members of that group can connect under mode 0660.</summary>
internal static partial class SocketGroup
{
    /// <summary>
    /// Changes the group of <paramref name="socketPath"/> to <paramref name="groupName"/>. A missing
    /// group or a failed chown is logged and the socket keeps the daemon's group, so start-up goes on.
    /// </summary>
    public static void Apply(string socketPath, string groupName, ILogger logger, GroupDatabase? database = null)
    {
        uint? gid;
        try
        {
            gid = (database ?? new GroupDatabase()).FindGroupId(groupName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SocketGroupFailed(logger, groupName, socketPath, ex.Message);
            return;
        }

        if (gid is not uint groupId)
        {
            Log.SocketGroupMissing(logger, groupName, socketPath);
            return;
        }

        // chown with owner -1 leaves the owner unchanged. An unprivileged daemon may only choose a
        // group it is a member of, or the kernel returns EPERM.
        if (Chown(socketPath, -1, (int)groupId) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Log.SocketGroupFailed(logger, groupName, socketPath, Marshal.GetPInvokeErrorMessage(errno));
            return;
        }

        Log.SocketGroupSet(logger, socketPath, groupName, groupId);
    }

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
