using System.Globalization;

namespace McpZero.Server.Access;

/// <summary>
/// Users and groups from the files of the system group database, <c>/etc/passwd</c> and
/// <c>/etc/group</c>. Each call reads the files again, so a change to a group applies to the next
/// connection without a restart.
/// </summary>
/// <remarks>
/// NOTE: only the files are read, not other NSS sources such as LDAP or sssd, so a group defined
/// only there is treated as missing.
/// </remarks>
internal sealed class GroupDatabase(string passwdPath = "/etc/passwd", string groupPath = "/etc/group")
{
    /// <summary>Returns the gid of the group named <paramref name="name"/>, or null when no such group exists.</summary>
    /// <exception cref="IOException">The group file cannot be read.</exception>
    public uint? FindGroupId(string name)
    {
        foreach (GroupEntry group in ReadGroups())
        {
            if (string.Equals(group.Name, name, StringComparison.Ordinal))
            {
                return group.Gid;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the gids of <paramref name="uid"/>: its primary group from the passwd file and every
    /// group that lists its user name as a member. Empty for a uid without a passwd entry.
    /// </summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public IReadOnlyList<uint> GetGroupIds(uint uid)
    {
        UserEntry? user = FindUser(uid);
        if (user is null)
        {
            return [];
        }

        var gids = new List<uint> { user.Value.PrimaryGid };
        foreach (GroupEntry group in ReadGroups())
        {
            if (group.Members.Contains(user.Value.Name, StringComparer.Ordinal) && !gids.Contains(group.Gid))
            {
                gids.Add(group.Gid);
            }
        }

        return gids;
    }

    private UserEntry? FindUser(uint uid)
    {
        // passwd lines are name:password:uid:gid:gecos:home:shell.
        foreach (string[] fields in ReadEntries(passwdPath, minimumFields: 4))
        {
            if (TryParseId(fields[2], out uint entryUid) && entryUid == uid && TryParseId(fields[3], out uint gid))
            {
                return new UserEntry(fields[0], gid);
            }
        }

        return null;
    }

    private IEnumerable<GroupEntry> ReadGroups()
    {
        // group lines are name:password:gid:member,member.
        foreach (string[] fields in ReadEntries(groupPath, minimumFields: 3))
        {
            if (!TryParseId(fields[2], out uint gid))
            {
                continue;
            }

            string[] members = fields.Length > 3
                ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            yield return new GroupEntry(fields[0], gid, members);
        }
    }

    // Skips blank lines, comments and lines with too few fields, as getent(1) does.
    private static IEnumerable<string[]> ReadEntries(string path, int minimumFields)
    {
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] fields = line.Split(':');
            if (fields.Length >= minimumFields && fields[0].Length > 0)
            {
                yield return fields;
            }
        }
    }

    private static bool TryParseId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private readonly record struct UserEntry(string Name, uint PrimaryGid);

    private readonly record struct GroupEntry(string Name, uint Gid, string[] Members);
}
