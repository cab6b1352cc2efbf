namespace McpZero.Server.Access;

/// <summary>The uid, gid and process of a connection's client, and whether that uid is an admin.</summary>
/// <param name="IsAdmin">
/// True for root, for the daemon's own uid, and for a uid whose primary group, supplementary
/// groups or connecting gid is the admin group.
/// </param>
internal sealed record CallerIdentity(uint Uid, uint Gid, int ProcessId, bool IsAdmin)
{
    /// <summary>
    /// A peer whose credentials the kernel did not report. Its uid is (uid_t)-1, which Linux never
    /// gives a process, so it owns nothing and only requests open to anyone pass.
    /// </summary>
    public static readonly CallerIdentity Unidentified = new(uint.MaxValue, uint.MaxValue, 0, IsAdmin: false);
}
