using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json;
using McpZero.Client;
using Xunit.Abstractions;

namespace McpZero.IntegrationTests;

/// <summary>
/// Access control as other users see it: the real CLI runs under other uids and gids through
/// setpriv(1) against a daemon that runs as root, so each request is checked against the uid the
/// kernel reports for the socket.
/// </summary>
/// <remarks>
/// The uids 61001 and 61002 have no passwd entry, so they belong to no group through /etc/group.
/// A client is in the admin group only when setpriv gives it the admin gid. These tests need root
/// for setpriv and report themselves skipped otherwise.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed partial class AccessControlTests(ITestOutputHelper output)
{
    private const uint OwnerUid = 61001;
    private const uint OtherUid = 61002;

    // A group of Debian's base-passwd, so it exists without changing the system's group files.
    private const string AdminGroup = "staff";

    private static readonly uint AdminGid = FindGroupId(AdminGroup);

    [Fact]
    public async Task AgentOperationsFollowOwnerUid()
    {
        if (!IsRoot())
        {
            return;
        }

        await using Daemon daemon = await StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));

        string agentId = await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "spawn", "--owner", "alice", "--plugin", "hello");
        Assert.Contains("Hello, Ada", await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "exec", agentId, "greet", "Ada"));
        string snapshotId = await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "snapshot", agentId);
        Assert.Matches($@"owner uid\s+{OwnerUid}", await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "show", agentId));
        await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "attach", agentId, "hello");

        string notOwner = $"uid {OtherUid} is not the owner (uid {OwnerUid}) of agent {agentId}";
        string ofSnapshot = $"{notOwner}, which snapshot {snapshotId} belongs to,";
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "exec", agentId, "greet", "Eve"), $"{notOwner} and is not in group {AdminGroup}");
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "show", agentId), notOwner);
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "attach", agentId, "hello"), notOwner);
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "snapshot", agentId), notOwner);
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "recover", snapshotId), ofSnapshot);
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "snapshot-delete", snapshotId), ofSnapshot);
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "agent", "terminate", agentId), notOwner);
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "trace", "list", "--agent", agentId), notOwner);

        // A member of the admin group and root may use every agent.
        Assert.Contains("Hello, Grace", await OkAsAsync(daemon, OtherUid, AdminGid, "agent", "exec", agentId, "greet", "Grace"));
        await OkAsAsync(daemon, OtherUid, AdminGid, "agent", "show", agentId);
        await OkAsAsync(daemon, OtherUid, AdminGid, "trace", "list", "--agent", agentId);
        Assert.Contains("Hello, Linus", await daemon.OkAsync("agent", "exec", agentId, "greet", "Linus"));

        // Non-admins list only their own agents.
        Assert.Contains(agentId, await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "list"));
        Assert.DoesNotContain(agentId, await OkAsAsync(daemon, OtherUid, OtherUid, "agent", "list"));
        Assert.Contains(agentId, await OkAsAsync(daemon, OtherUid, AdminGid, "agent", "list"));
        Assert.Contains(agentId, await daemon.OkAsync("agent", "list"));

        // The owner's own changes go through.
        await OkAsAsync(daemon, OwnerUid, OwnerUid, "trace", "list", "--agent", agentId);
        await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "recover", snapshotId);
        await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "snapshot-delete", snapshotId);
        await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "terminate", agentId);

        using JsonDocument stats = JsonDocument.Parse(await daemon.OkAsync("stats", "--json"));
        Assert.Equal(1, DenialCount(stats.RootElement, "AgentExec"));
        Assert.Equal(1, DenialCount(stats.RootElement, "AgentShow"));
        Assert.Equal(1, DenialCount(stats.RootElement, "AgentRecover"));
        Assert.Equal(1, DenialCount(stats.RootElement, "TraceList"));
        Assert.Equal(8, ErrorCount(stats.RootElement, "PermissionDenied"));
        Assert.Contains("denied AgentExec to uid 61002", daemon.Log);
    }

    [Fact]
    public async Task AdminRequestsNeedAdminGroup()
    {
        if (!IsRoot())
        {
            return;
        }

        await using Daemon daemon = await StartAsync();
        string adminsOnly = $"uid {OwnerUid} is not root and is not in group {AdminGroup}";

        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "plugin", "install", TestPaths.Plugin("hello")), $"{adminsOnly}; PluginInstall requests are for admins only");
        await OkAsAsync(daemon, OwnerUid, AdminGid, "plugin", "install", TestPaths.Plugin("hello"));
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "plugin", "remove", "hello"), adminsOnly);

        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "pool", "create", "greeters", "--owner", "ops", "--size", "1", "--plugin", "hello"), adminsOnly);
        await OkAsAsync(daemon, OwnerUid, AdminGid, "pool", "create", "greeters", "--owner", "ops", "--size", "1", "--plugin", "hello");
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "pool", "remove", "greeters"), adminsOnly);

        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "db", "insert", "resources", """{"resource_type":"camera","owner":"lab"}"""), adminsOnly);
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "db", "find", "agents"), adminsOnly);
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "db", "create-index", "resources", "location"), adminsOnly);
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "trace", "list"), adminsOnly);

        Assert.Matches($@"caller\s+uid {OwnerUid}, not an admin", await OkAsAsync(daemon, OwnerUid, OwnerUid, "status"));
        Assert.Matches($@"caller\s+uid {OwnerUid}, admin", await OkAsAsync(daemon, OwnerUid, AdminGid, "status"));
        Assert.Matches(@"caller\s+uid 0, admin", await daemon.OkAsync("status"));

        // Requests open to every uid that can reach the socket.
        foreach (string[] args in new[]
        {
            new[] { "status" }, ["stats"], ["plugin", "list"], ["plugin", "show", "hello"], ["pool", "list"], ["pool", "show", "greeters"],
            ["trace", "verify"], ["db", "find", "resources"], ["db", "indexes"],
        })
        {
            await OkAsAsync(daemon, OwnerUid, OwnerUid, args);
        }

        // The admin group may do what others may not.
        await OkAsAsync(daemon, OwnerUid, AdminGid, "db", "insert", "resources", """{"resource_type":"camera","owner":"lab"}""");
        await OkAsAsync(daemon, OwnerUid, AdminGid, "db", "find", "agents");
        await OkAsAsync(daemon, OwnerUid, AdminGid, "trace", "list");
        await OkAsAsync(daemon, OwnerUid, AdminGid, "pool", "remove", "greeters");
    }

    [Fact]
    public async Task PoolLeaseBelongsToLessee()
    {
        if (!IsRoot())
        {
            return;
        }

        await using Daemon daemon = await StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        await daemon.OkAsync("pool", "create", "greeters", "--owner", "ops", "--size", "1", "--max", "1", "--plugin", "hello");

        // The pool's agents belong to its creator, root here, but a lease lends one to the lessee.
        Assert.Contains("Hello, Ada", await OkAsAsync(daemon, OwnerUid, OwnerUid, "pool", "lease", "greeters", "--exec", "greet", "--input", "Ada"));

        using JsonDocument poolShow = JsonDocument.Parse(await daemon.OkAsync("pool", "show", "greeters", "--json"));
        string ready = poolShow.RootElement.GetProperty("ready_agents")[0].GetString()!;
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "agent", "exec", ready, "greet", "Ada"), $"is not the owner (uid 0) of agent {ready}");

        // A lease held by root's connection keeps other uids out of that agent.
        await using McpZeroClient client = await daemon.ConnectAsync();
        var pool = new AgentPool(client, "greeters") { LeaseWait = TimeSpan.FromSeconds(10) };
        using var timeout = new CancellationTokenSource(Daemon.CommandTimeout);
        await using PooledAgent leased = await pool.GetAsync(timeout.Token);
        AssertDenied(
            await AsAsync(daemon, OwnerUid, OwnerUid, "agent", "exec", leased.AgentId, "greet", "Ada"),
            $"uid {OwnerUid} does not hold the lease of pool agent {leased.AgentId} (leased by uid 0)");
        AssertDenied(await AsAsync(daemon, OwnerUid, OwnerUid, "pool", "return", "greeters", leased.AgentId), "does not hold the lease");
        await OkAsAsync(daemon, OwnerUid, AdminGid, "agent", "exec", leased.AgentId, "greet", "Ada");
    }

    [Fact]
    public async Task SocketGroupLetsMembersConnect()
    {
        if (!IsRoot())
        {
            return;
        }

        await using Daemon daemon = await StartAsync(new Dictionary<string, string>
        {
            ["MCPZERO__SocketMode"] = "660",
            ["MCPZERO__SocketGroup"] = AdminGroup,
            ["MCPZERO__AdminGroup"] = "mcpzero-test-no-such-group",
        });

        Assert.Equal(AdminGid.ToString(System.Globalization.CultureInfo.InvariantCulture), await StatGroupAsync(daemon.SocketPath));
        await OkAsAsync(daemon, OwnerUid, AdminGid, "status");

        CliResult outside = await AsAsync(daemon, OwnerUid, OwnerUid, "status");
        Assert.True(outside.ExitCode == 3, $"a uid outside the socket group connected: {outside}");

        // With no admin group on the system, only root and the daemon's uid are admins.
        Assert.Contains("Admin group mcpzero-test-no-such-group (AdminGroup) does not exist", daemon.Log);
        AssertDenied(await AsAsync(daemon, OwnerUid, AdminGid, "trace", "list"), "is not root and is not in group mcpzero-test-no-such-group");
        await daemon.OkAsync("trace", "list");
    }

    [Fact]
    public async Task MissingSocketGroupKeepsDaemonGroup()
    {
        if (!IsRoot())
        {
            return;
        }

        await using Daemon daemon = await StartAsync(new Dictionary<string, string>
        {
            ["MCPZERO__SocketGroup"] = "mcpzero-test-no-such-group",
        });

        Assert.Equal("0", await StatGroupAsync(daemon.SocketPath));
        Assert.Contains("Socket group mcpzero-test-no-such-group (SocketGroup) does not exist", daemon.Log);
        await daemon.OkAsync("status");
    }

    [Fact]
    public async Task SupplementaryGroupMakesAdmin()
    {
        if (!IsRoot())
        {
            return;
        }

        // A group that lists a user of /etc/passwd as a member, such as ssl-cert:x:103:postgres.
        if (FindGroupWithMember() is not (string group, uint memberUid, uint memberGid))
        {
            output.WriteLine("Skipped: no group in /etc/group lists a user of /etc/passwd as a member.");
            return;
        }

        output.WriteLine($"group {group}, member uid {memberUid}, primary gid {memberGid}");
        await using Daemon daemon = await StartAsync(new Dictionary<string, string>
        {
            ["MCPZERO__SocketMode"] = "666",
            ["MCPZERO__AdminGroup"] = group,
        });

        // --clear-groups drops the member's supplementary groups from the process, so only the
        // daemon's read of /etc/group can make it an admin.
        await OkAsAsync(daemon, memberUid, memberGid, "trace", "list");
        AssertDenied(await AsAsync(daemon, OtherUid, OtherUid, "trace", "list"), $"is not in group {group}");
    }

    [Fact]
    public async Task AgentWithoutOwnerUidIsAdminOnly()
    {
        if (!IsRoot())
        {
            return;
        }

        // Written by mcpzero 0.1.0, before owner uids were stored. UpgradeTests describes its content.
        const string AgentId = "a-e09fd2f9cf";
        string directory = TestPaths.NewTestDirectory();
        string data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        await using (FileStream archive = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures/data-0.1.0.tgz")))
        await using (var gzip = new GZipStream(archive, CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(gzip, data, overwriteFiles: false);
        }

        await using Daemon daemon = await StartAsync(directory: directory);

        AssertDenied(
            await AsAsync(daemon, OwnerUid, OwnerUid, "agent", "exec", AgentId, "greet", "Carol"),
            $"agent {AgentId} was stored before owner uids were recorded, so only root and group {AdminGroup} may use it; uid {OwnerUid} is neither");
        Assert.DoesNotContain(AgentId, await OkAsAsync(daemon, OwnerUid, OwnerUid, "agent", "list"));
        Assert.Equal("Hi, Carol! (greeting #3)", await OkAsAsync(daemon, OwnerUid, AdminGid, "agent", "exec", AgentId, "greet", "Carol"));
        Assert.Contains("none (stored before owner uids; admins only)", await daemon.OkAsync("agent", "show", AgentId));
    }

    private static async Task<Daemon> StartAsync(Dictionary<string, string>? environment = null, string? directory = null)
    {
        // Other uids must reach the socket: the test folder and its parent are world-searchable.
        directory ??= TestPaths.NewTestDirectory();
        const UnixFileMode Searchable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(directory, Searchable);
        File.SetUnixFileMode(Path.GetDirectoryName(directory)!, Searchable);

        environment ??= new Dictionary<string, string>
        {
            ["MCPZERO__SocketMode"] = "666",
            ["MCPZERO__AdminGroup"] = AdminGroup,
        };
        return await Daemon.StartAsync(directory, environment);
    }

    private bool IsRoot()
    {
        if (GetEffectiveUserId() == 0)
        {
            return true;
        }

        output.WriteLine("Skipped: setpriv needs root to run the CLI under other uids.");
        return false;
    }

    private static void AssertDenied(CliResult result, string expected)
    {
        Assert.True(result.ExitCode == 1, $"expected exit 1 (the daemon returned an error): {result}");
        Assert.Contains("(PermissionDenied)", result.Stderr);
        Assert.Contains(expected, result.Stderr);
    }

    private static async Task<string> OkAsAsync(Daemon daemon, uint uid, uint gid, params string[] args)
    {
        CliResult result = await AsAsync(daemon, uid, gid, args);
        Assert.True(result.ExitCode == 0, $"mcpzero {string.Join(' ', args)} as uid {uid} gid {gid} failed: {result}\ndaemon log:\n{daemon.Log}");
        return result.Stdout.Trim();
    }

    /// <summary>Runs the CLI against the daemon's socket as <paramref name="uid"/> and <paramref name="gid"/> with no supplementary groups.</summary>
    private static Task<CliResult> AsAsync(Daemon daemon, uint uid, uint gid, params string[] args) =>
        RunAsync("setpriv", [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", TestPaths.Binary, .. args, "--socket", daemon.SocketPath]);

    private static async Task<string> StatGroupAsync(string path)
    {
        CliResult result = await RunAsync("stat", ["-c", "%g", path]);
        Assert.True(result.ExitCode == 0, $"stat failed: {result}");
        return result.Stdout.Trim();
    }

    private static async Task<CliResult> RunAsync(string program, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + program);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Daemon.CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {Daemon.CommandTimeout}");
        }

        return new CliResult(process.ExitCode, await stdout.WaitAsync(timeout.Token), await stderr.WaitAsync(timeout.Token));
    }

    private static long DenialCount(JsonElement stats, string name) =>
        stats.GetProperty("denials").EnumerateArray()
            .Where(denial => denial.GetProperty("name").GetString() == name)
            .Select(denial => denial.GetProperty("count").GetInt64())
            .SingleOrDefault();

    private static long ErrorCount(JsonElement stats, string code) =>
        stats.GetProperty("errors").EnumerateArray()
            .Where(error => error.GetProperty("code").GetString() == code)
            .Select(error => error.GetProperty("count").GetInt64())
            .SingleOrDefault();

    private static uint FindGroupId(string name)
    {
        foreach (string line in File.ReadLines("/etc/group"))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name)
            {
                return uint.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"group '{name}' is missing from /etc/group; the access control tests use it as the admin group");
    }

    private static (string Group, uint Uid, uint Gid)? FindGroupWithMember()
    {
        Dictionary<string, (uint Uid, uint Gid)> users = [];
        foreach (string line in File.ReadLines("/etc/passwd"))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 4 && uint.TryParse(fields[2], out uint uid) && uint.TryParse(fields[3], out uint gid) && uid != 0)
            {
                users[fields[0]] = (uid, gid);
            }
        }

        foreach (string line in File.ReadLines("/etc/group"))
        {
            string[] fields = line.Split(':');
            if (fields.Length < 4 || !uint.TryParse(fields[2], out uint groupId))
            {
                continue;
            }

            foreach (string member in fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                // The primary gid must differ from the group, or the connecting gid alone would make the user an admin.
                if (users.TryGetValue(member, out (uint Uid, uint Gid) user) && user.Gid != groupId)
                {
                    return (fields[0], user.Uid, user.Gid);
                }
            }
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
