using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace McpZero.Server.Access;

/// <summary>Turns the peer credentials of a new connection into a <see cref="CallerIdentity"/>.</summary>
internal sealed partial class CallerResolver(string adminGroup, ILogger logger, GroupDatabase? database = null)
{
    private static readonly LogRateLimiter GroupReadFailureLog = new(maxPerWindow: 5, TimeSpan.FromMinutes(1));

    private readonly GroupDatabase _database = database ?? new GroupDatabase();

    /// <summary>Effective uid of the daemon. A client with the same uid could read the data directory anyway, so it is an admin.</summary>
    public static uint DaemonUid { get; } = GetEffectiveUid();

    public string AdminGroup { get; } = adminGroup;

    /// <summary>
    /// Resolves the admin status of the peer once, when the connection opens. The group files are
    /// read again for every connection, so adding a user to the admin group applies to their next
    /// connection.
    /// </summary>
    public CallerIdentity Resolve(PeerCredentials? credentials)
    {
        if (credentials is not PeerCredentials peer)
        {
            return CallerIdentity.Unidentified;
        }

        bool isAdmin;
        try
        {
            isAdmin = peer.Uid == 0 || peer.Uid == DaemonUid || IsAdminGroupMember(peer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (GroupReadFailureLog.TryAcquire(out long suppressed))
            {
                Log.GroupDatabaseUnreadable(logger, peer.Uid, ex.Message, suppressed);
            }

            isAdmin = false;
        }

        return new CallerIdentity(peer.Uid, peer.Gid, peer.ProcessId, isAdmin);
    }

    /// <summary>Logs who the admins are, and warns when the admin group does not exist.</summary>
    public void LogConfiguration()
    {
        uint? gid;
        try
        {
            gid = _database.FindGroupId(AdminGroup);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.GroupDatabaseUnreadable(logger, DaemonUid, ex.Message, 0);
            return;
        }

        if (gid is uint adminGid)
        {
            Log.AdminsConfigured(logger, DaemonUid, AdminGroup, adminGid);
        }
        else
        {
            Log.AdminGroupMissing(logger, AdminGroup, DaemonUid);
        }
    }

    // The connecting gid counts as well as the group files, so a process started with the admin
    // group as its gid (sg, newgrp, setpriv --regid) is an admin.
    private bool IsAdminGroupMember(PeerCredentials peer)
    {
        if (_database.FindGroupId(AdminGroup) is not uint adminGid)
        {
            return false;
        }

        return peer.Gid == adminGid || _database.GetGroupIds(peer.Uid).Contains(adminGid);
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();
}
