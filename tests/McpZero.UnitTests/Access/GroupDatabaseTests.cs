using McpZero.Server.Access;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpZero.UnitTests.Access;

/// <summary>Parsing of passwd and group files, and admin status resolved from them.</summary>
public sealed class GroupDatabaseTests : IDisposable
{
    private const string Passwd = """
        root:x:0:0:root:/root:/bin/bash
        # a comment line
        alice:x:1000:1000:Alice:/home/alice:/bin/bash
        bob:x:1001:1001::/home/bob:/bin/sh
        carol:x:1002:1500::/home/carol:/bin/sh
        broken:x:notanumber:1:::

        dave:x:1003:1003
        """;

    private const string Group = """
        root:x:0:
        alice:x:1000:
        bob:x:1001:
        mcpzero:x:1400:alice,bob
        mcpzero-admin:x:1500:bob, dave
        odd:x:-5:alice
        short:x
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mz-groups-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly GroupDatabase _database;

    public GroupDatabaseTests()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "passwd"), Passwd);
        File.WriteAllText(Path.Combine(_directory, "group"), Group);
        _database = new GroupDatabase(Path.Combine(_directory, "passwd"), Path.Combine(_directory, "group"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void FindGroupIdByName()
    {
        Assert.Equal(1400u, _database.FindGroupId("mcpzero"));
        Assert.Equal(1500u, _database.FindGroupId("mcpzero-admin"));
        Assert.Null(_database.FindGroupId("nosuch"));
        Assert.Null(_database.FindGroupId("odd"));
        Assert.Null(_database.FindGroupId("short"));
    }

    [Fact]
    public void GroupIdsIncludePrimaryAndMembership()
    {
        Assert.Equal([1000u, 1400u], _database.GetGroupIds(1000));
        Assert.Equal([1001u, 1400u, 1500u], _database.GetGroupIds(1001));
        Assert.Equal([1500u], _database.GetGroupIds(1002));
        Assert.Equal([1003u, 1500u], _database.GetGroupIds(1003));
    }

    [Fact]
    public void UnknownUidHasNoGroups()
    {
        Assert.Empty(_database.GetGroupIds(4242));
    }

    [Fact]
    public void MissingFileRaisesIOException()
    {
        var database = new GroupDatabase(Path.Combine(_directory, "nosuch-passwd"), Path.Combine(_directory, "nosuch-group"));

        Assert.ThrowsAny<IOException>(() => database.FindGroupId("mcpzero"));
    }

    [Theory]
    [InlineData(0u, 0u, true)]          // root
    [InlineData(1000u, 1000u, false)]   // in mcpzero only
    [InlineData(1001u, 1001u, true)]    // supplementary member of mcpzero-admin
    [InlineData(1002u, 1002u, true)]    // primary group mcpzero-admin in passwd
    [InlineData(1000u, 1500u, true)]    // connected with the admin gid
    [InlineData(4242u, 4242u, false)]   // no passwd entry
    public void ResolverDecidesAdmin(uint uid, uint gid, bool expected)
    {
        var resolver = new CallerResolver("mcpzero-admin", NullLogger.Instance, _database);

        CallerIdentity caller = resolver.Resolve(new PeerCredentials(99, uid, gid));

        Assert.Equal(uid, caller.Uid);
        Assert.Equal(gid, caller.Gid);
        Assert.Equal(99, caller.ProcessId);
        Assert.Equal(expected || uid == CallerResolver.DaemonUid, caller.IsAdmin);
    }

    [Fact]
    public void MissingAdminGroupLeavesOnlyRoot()
    {
        var resolver = new CallerResolver("no-such-group", NullLogger.Instance, _database);

        Assert.True(resolver.Resolve(new PeerCredentials(1, 0, 0)).IsAdmin);
        Assert.Equal(CallerResolver.DaemonUid == 1001, resolver.Resolve(new PeerCredentials(1, 1001, 1001)).IsAdmin);
    }

    [Fact]
    public void UnreadableFilesMakeNoAdmin()
    {
        var database = new GroupDatabase(Path.Combine(_directory, "nosuch-passwd"), Path.Combine(_directory, "nosuch-group"));
        var resolver = new CallerResolver("mcpzero-admin", NullLogger.Instance, database);

        Assert.Equal(CallerResolver.DaemonUid == 1001, resolver.Resolve(new PeerCredentials(1, 1001, 1500)).IsAdmin);
    }

    [Fact]
    public void MissingCredentialsAreUnidentified()
    {
        var resolver = new CallerResolver("mcpzero-admin", NullLogger.Instance, _database);

        Assert.Same(CallerIdentity.Unidentified, resolver.Resolve(null));
    }
}
