using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace McpZero.IntegrationTests;

/// <summary>
/// The systemd units, sysusers.d and tmpfiles.d entries, default configuration, bash completion and
/// Debian package, as `make install` and `make deb` write them. `make test` stages both first and
/// passes their paths in MCPZERO_INSTALL_ROOT and MCPZERO_DEB; `make install-root` also stages a
/// PREFIX=/opt/mcpzero install in out/install-root-opt (or MCPZERO_OPT_INSTALL_ROOT).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class ServiceUnitTests
{
    /// <summary>
    /// Exposure score of the service from `systemd-analyze security --offline=true`, systemd 252:
    /// 0.4 when recorded. A unit change that weakens the sandbox raises it and fails the test.
    /// </summary>
    private const double MaxExposureScore = 0.4;

    /// <summary>The appliance's memory envelope, 827 MB, in bytes.</summary>
    private const long EnvelopeBytes = 827_000_000;

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] PackageFiles =
    [
        "./usr/bin/mcpzero",
        "./lib/systemd/system/mcpzero.service",
        "./lib/systemd/system/mcpzero.socket",
        "./usr/lib/sysusers.d/mcpzero.conf",
        "./usr/lib/tmpfiles.d/mcpzero.conf",
        "./etc/mcpzero/mcpzero.json",
        "./usr/share/bash-completion/completions/mcpzero",
        "./usr/share/doc/mcpzero/README.md",
        "./usr/share/doc/mcpzero/copyright",
        "./usr/share/doc/mcpzero/changelog.Debian.gz",
    ];

    private readonly ITestOutputHelper _output;

    public ServiceUnitTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string OutDirectory => Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(TestPaths.Binary)))!;

    private static string RepositoryRoot => Path.GetDirectoryName(OutDirectory)!;

    private static string InstallRoot
    {
        get
        {
            string root = Environment.GetEnvironmentVariable("MCPZERO_INSTALL_ROOT") ?? Path.Combine(OutDirectory, "install-root");
            return Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"the DESTDIR install '{root}' is missing; create it with `make install-root`");
        }
    }

    private static string OptInstallRoot
    {
        get
        {
            string root = Environment.GetEnvironmentVariable("MCPZERO_OPT_INSTALL_ROOT") ?? Path.Combine(OutDirectory, "install-root-opt");
            return Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"the PREFIX=/opt/mcpzero DESTDIR install '{root}' is missing; create it with `make install-root`");
        }
    }

    private static string DebPackage
    {
        get
        {
            string? package = Environment.GetEnvironmentVariable("MCPZERO_DEB")
                ?? Directory.EnumerateFiles(OutDirectory, "mcpzero_*_amd64.deb").FirstOrDefault();
            return package is not null && File.Exists(package)
                ? package
                : throw new FileNotFoundException($"the Debian package '{package ?? OutDirectory + "/mcpzero_*_amd64.deb"}' is missing; build it with `make deb`");
        }
    }

    private static string ServiceFile => Path.Combine(InstallRoot, "usr/local/lib/systemd/system/mcpzero.service");

    [Fact]
    public async Task InstalledUnitsVerify()
    {
        string verifyRoot = CreateVerifyRoot(InstallRoot);
        try
        {
            CliResult result = await RunToolAsync("systemd-analyze", ["verify", "--root=" + verifyRoot, "mcpzero.service", "mcpzero.socket"]);

            Assert.True(result.ExitCode == 0, $"systemd-analyze verify failed: {result}");
            Assert.True(result.Stderr.Trim().Length == 0, $"systemd-analyze verify printed warnings: {result}");
        }
        finally
        {
            Directory.Delete(verifyRoot, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyFailsWithoutTheBinary()
    {
        string verifyRoot = CreateVerifyRoot(InstallRoot);
        try
        {
            File.Delete(Path.Combine(verifyRoot, "usr/local/bin/mcpzero"));

            CliResult result = await RunToolAsync("systemd-analyze", ["verify", "--root=" + verifyRoot, "mcpzero.service"]);

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("/usr/local/bin/mcpzero", result.Stderr);
        }
        finally
        {
            Directory.Delete(verifyRoot, recursive: true);
        }
    }

    [Fact]
    public void InstalledServiceStartsInstalledBinary()
    {
        string[] lines = File.ReadAllLines(ServiceFile);

        Assert.Contains("ExecStart=/usr/local/bin/mcpzero serve", lines);
        Assert.True(File.Exists(Path.Combine(InstallRoot, "usr/local/bin/mcpzero")), "make install must write the binary that ExecStart names");
        Assert.Contains("Documentation=file:///usr/local/share/doc/mcpzero/README.md", lines);
        Assert.True(File.Exists(Path.Combine(InstallRoot, "usr/local/share/doc/mcpzero/README.md")), "make install must write the README that Documentation names");
    }

    [Fact]
    public void ServiceDeclaresEnvelopeAndProtocols()
    {
        string[] lines = File.ReadAllLines(ServiceFile);

        string[] expected =
        [
            "Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "Restart=on-failure",
            "Requires=mcpzero.socket", "After=mcpzero.socket", "User=mcpzero",
            "StateDirectory=mcpzero", "RuntimeDirectory=mcpzero", "RuntimeDirectoryPreserve=yes", "ConfigurationDirectory=mcpzero",
            "TimeoutStopSec=60s", "CPUQuota=27%", "PrivateNetwork=yes", "RestrictAddressFamilies=AF_UNIX",
            "SystemCallFilter=@system-service", "ProtectProc=invisible", "ProcSubset=pid", "CapabilityBoundingSet=",
            "MemoryDenyWriteExecute=no",
        ];
        foreach (string line in expected)
        {
            Assert.Contains(line, lines);
        }

        // systemd reads a K, M or G suffix as a power of 1024, so the limits must be plain bytes
        // to stay inside the envelope of 827 decimal MB.
        long memoryMax = ParseBytes(lines, "MemoryMax=");
        long memoryHigh = ParseBytes(lines, "MemoryHigh=");
        Assert.True(memoryMax <= EnvelopeBytes, $"MemoryMax={memoryMax} is above the envelope of {EnvelopeBytes} bytes");
        Assert.True(memoryHigh < memoryMax, $"MemoryHigh={memoryHigh} must be below MemoryMax={memoryMax} so that the kernel reclaims before it kills");
    }

    [Fact]
    public async Task EnablingServiceEnablesSocketOnly()
    {
        string[] install = ReadSection(File.ReadAllLines(ServiceFile), "[Install]");
        Assert.Contains("Also=mcpzero.socket", install);
        Assert.DoesNotContain(install, line => line.StartsWith("WantedBy=", StringComparison.Ordinal));

        string root = CreateVerifyRoot(InstallRoot);
        try
        {
            CliResult enable = await RunToolAsync("systemctl", ["--root=" + root, "enable", "mcpzero.service"]);
            Assert.True(enable.ExitCode == 0, $"systemctl --root enable mcpzero.service failed: {enable}");

            string units = Path.Combine(root, "etc/systemd/system");
            string[] links = Directory.EnumerateFileSystemEntries(units, "mcpzero.*", SearchOption.AllDirectories)
                .Select(link => Path.GetRelativePath(units, link))
                .ToArray();
            Assert.Equal(["sockets.target.wants/mcpzero.socket"], links);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task OptPrefixInstallsWhereSystemdLooks()
    {
        string root = OptInstallRoot;
        foreach (string file in new[] { "etc/systemd/system/mcpzero.service", "etc/systemd/system/mcpzero.socket", "etc/sysusers.d/mcpzero.conf", "etc/tmpfiles.d/mcpzero.conf", "opt/mcpzero/bin/mcpzero" })
        {
            Assert.True(File.Exists(Path.Combine(root, file)), $"PREFIX=/opt/mcpzero must install /{file}");
        }

        Assert.False(Directory.Exists(Path.Combine(root, "opt/mcpzero/lib")), "PREFIX=/opt/mcpzero must not install under /opt/mcpzero/lib, where systemd never looks");
        string[] service = File.ReadAllLines(Path.Combine(root, "etc/systemd/system/mcpzero.service"));
        Assert.Contains("ExecStart=/opt/mcpzero/bin/mcpzero serve", service);
        Assert.Contains("Documentation=file:///opt/mcpzero/share/doc/mcpzero/README.md", service);

        string verifyRoot = CreateVerifyRoot(root);
        try
        {
            CliResult result = await RunToolAsync("systemd-analyze", ["verify", "--root=" + verifyRoot, "mcpzero.service", "mcpzero.socket"]);

            Assert.True(result.ExitCode == 0, $"systemd-analyze verify failed on the PREFIX=/opt/mcpzero units: {result}");
            Assert.True(result.Stderr.Trim().Length == 0, $"systemd-analyze verify printed warnings: {result}");
        }
        finally
        {
            Directory.Delete(verifyRoot, recursive: true);
        }
    }

    [Fact]
    public async Task OptPrefixInstallPassesFullPaths()
    {
        // A dry run prints the commands that `make install` runs on a host with systemd.
        CliResult dryRun = await RunToolAsync("make", ["-n", "--no-print-directory", "-C", RepositoryRoot, "install", "PREFIX=/opt/mcpzero", "DESTDIR="]);
        Assert.True(dryRun.ExitCode == 0, $"make -n install PREFIX=/opt/mcpzero failed: {dryRun}");

        Assert.Contains("systemd-sysusers /etc/sysusers.d/mcpzero.conf", dryRun.Stdout);
        Assert.Contains("systemd-tmpfiles --create /etc/tmpfiles.d/mcpzero.conf", dryRun.Stdout);
        Assert.Contains("systemctl enable --now mcpzero.socket", dryRun.Stdout);
        Assert.DoesNotContain("enable --now mcpzero.service", dryRun.Stdout);
    }

    [Fact]
    public void SocketIsGroupOnly()
    {
        string[] lines = File.ReadAllLines(Path.Combine(InstallRoot, "usr/local/lib/systemd/system/mcpzero.socket"));

        Assert.Contains("ListenStream=/run/mcpzero/mcpzero.sock", lines);
        Assert.Contains("SocketMode=0660", lines);
        Assert.Contains("SocketUser=mcpzero", lines);
        Assert.Contains("SocketGroup=mcpzero", lines);
    }

    [Fact]
    public async Task SecurityExposureStaysAtRecordedScore()
    {
        CliResult result = await RunToolAsync("systemd-analyze", ["security", "--offline=true", "--no-pager", ServiceFile]);
        Match match = ExposureLine().Match(result.Stdout);

        Assert.True(match.Success, $"no 'Overall exposure level' line in the output: {result}");
        double score = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        _output.WriteLine(match.Value);
        Assert.True(score <= MaxExposureScore, $"exposure level {score} is above the recorded {MaxExposureScore}: {match.Value}");
    }

    [Fact]
    public async Task SysusersAndTmpfilesCreateUserAndDirectory()
    {
        if (GetEffectiveUserId() != 0)
        {
            _output.WriteLine("Skipped: systemd-sysusers --root and systemd-tmpfiles --root need root to set owners.");
            return;
        }

        string root = TestPaths.NewTestDirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            CopyDirectory(Path.Combine(InstallRoot, "usr/local/lib/sysusers.d"), Path.Combine(root, "usr/lib/sysusers.d"));
            CopyDirectory(Path.Combine(InstallRoot, "usr/local/lib/tmpfiles.d"), Path.Combine(root, "usr/lib/tmpfiles.d"));

            CliResult sysusers = await RunToolAsync("systemd-sysusers", ["--root=" + root]);
            Assert.True(sysusers.ExitCode == 0, $"systemd-sysusers failed: {sysusers}");
            string? passwd = File.ReadAllLines(Path.Combine(root, "etc/passwd")).FirstOrDefault(line => line.StartsWith("mcpzero:", StringComparison.Ordinal));
            Assert.NotNull(passwd);
            Assert.EndsWith(":/var/lib/mcpzero:/usr/sbin/nologin", passwd);
            Assert.Contains(File.ReadAllLines(Path.Combine(root, "etc/group")), line => line.StartsWith("mcpzero:", StringComparison.Ordinal));
            Assert.Contains(File.ReadAllLines(Path.Combine(root, "etc/group")), line => line.StartsWith("mcpzero-admin:", StringComparison.Ordinal));

            CliResult tmpfiles = await RunToolAsync("systemd-tmpfiles", ["--root=" + root, "--create"]);
            Assert.True(tmpfiles.ExitCode == 0, $"systemd-tmpfiles failed: {tmpfiles}");
            string runtimeDirectory = Path.Combine(root, "run/mcpzero");
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
                File.GetUnixFileMode(runtimeDirectory));
            CliResult owner = await RunToolAsync("stat", ["-c", "%u:%g", runtimeDirectory]);
            string uid = passwd.Split(':')[2];
            Assert.Equal($"{uid}:{passwd.Split(':')[3]}", owner.Stdout.Trim());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task DefaultConfigurationStartsDaemon()
    {
        string config = Path.Combine(InstallRoot, "etc/mcpzero/mcpzero.json");
        string directory = TestPaths.NewTestDirectory();
        string socket = Path.Combine(directory, "s.sock");
        var info = new ProcessStartInfo(TestPaths.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "serve", "--config", config, "--socket", socket, "--data", Path.Combine(directory, "data") })
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + TestPaths.Binary);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            CliResult status = await WaitForStatusAsync(socket, process);
            Assert.True(status.ExitCode == 0, $"the daemon with the default configuration did not answer: {status}");
        }
        finally
        {
            if (!process.HasExited)
            {
                _ = SendSignal(process.Id, 15);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Directory.Delete(directory, recursive: true);
        }

        string log = await stdout.WaitAsync(ToolTimeout) + await stderr.WaitAsync(ToolTimeout);
        Assert.Equal(0, process.ExitCode);
        Assert.DoesNotContain("is not a setting of mcpzero", log);
    }

    [Fact]
    public async Task CompletionListsCommandsAndSubcommands()
    {
        Assert.Equal(["agent"], await CompleteAsync("mcpzero", "ag"));
        Assert.Equal(
            ["spawn", "list", "show", "attach", "exec", "snapshot", "recover", "snapshot-delete", "terminate"],
            await CompleteAsync("mcpzero", "agent", ""));
        Assert.Equal(["list", "verify"], await CompleteAsync("mcpzero", "trace", ""));
        Assert.Equal(["--instances-per-plugin"], await CompleteAsync("mcpzero", "serve", "--inst"));
        Assert.Contains("--memory-mb", await CompleteAsync("mcpzero", "agent", "spawn", "--"));
        Assert.Contains("--json", await CompleteAsync("mcpzero", "plugin", "list", "--"));
        Assert.Contains("--prometheus", await CompleteAsync("mcpzero", "stats", "--"));
    }

    [Fact]
    public async Task CompletionListsDbCommands()
    {
        Assert.Equal(["db"], await CompleteAsync("mcpzero", "d"));
        Assert.Equal(["create-index"], await CompleteAsync("mcpzero", "db", "cr"));
        Assert.Equal(["agents", "resources", "traces", "snapshots"], await CompleteAsync("mcpzero", "db", "find", ""));
        Assert.Equal(["resources"], await CompleteAsync("mcpzero", "db", "find", "--where", "owner=ada", "r"));
        Assert.Contains("--where", await CompleteAsync("mcpzero", "db", "find", "agents", "--"));
        Assert.Equal(["--capability"], await CompleteAsync("mcpzero", "resource", "find", "--cap"));
    }

    [Fact]
    public async Task CompletionAsksDaemonForNames()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        await daemon.OkAsync("plugin", "install", TestPaths.Plugin("hello"));
        string agentId = await daemon.OkAsync("agent", "spawn", "--plugin", "hello");
        string binary = Path.GetFullPath(TestPaths.Binary);

        Assert.Equal(["hello"], await CompleteAsync(binary, "plugin", "show", "--socket", daemon.SocketPath, ""));
        Assert.Equal([agentId], await CompleteAsync(binary, "agent", "exec", "--socket", daemon.SocketPath, "a-"));
        Assert.Equal(["hello"], await CompleteAsync(binary, "agent", "attach", agentId, "--socket", daemon.SocketPath, "h"));
    }

    [Fact]
    public async Task PackageContainsInstallTree()
    {
        CliResult contents = await RunToolAsync("dpkg-deb", ["--contents", DebPackage]);
        Assert.True(contents.ExitCode == 0, $"dpkg-deb --contents failed: {contents}");

        string[] entries = contents.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (string file in PackageFiles)
        {
            string? entry = entries.FirstOrDefault(line => line.EndsWith(" " + file, StringComparison.Ordinal));
            Assert.True(entry is not null, $"{file} is missing from the package:\n{contents.Stdout}");
            Assert.Contains(" root/root ", entry);
        }
    }

    [Fact]
    public async Task PackageControlNamesVersionAndScripts()
    {
        string props = File.ReadAllText(Path.Combine(RepositoryRoot, "src", "Directory.Build.props"));
        string version = Regex.Match(props, "<Version>(.*)</Version>").Groups[1].Value;

        CliResult info = await RunToolAsync("dpkg-deb", ["--info", DebPackage]);

        Assert.True(info.ExitCode == 0, $"dpkg-deb --info failed: {info}");
        Assert.Contains(" Package: mcpzero\n", info.Stdout);
        Assert.Contains($" Version: {version}\n", info.Stdout);
        Assert.Contains(" Architecture: amd64\n", info.Stdout);
        foreach (string script in new[] { "postinst", "prerm", "postrm", "conffiles" })
        {
            Assert.Matches($@"\s{script}\s", info.Stdout);
        }

        CliResult conffiles = await RunToolAsync("dpkg-deb", ["--info", DebPackage, "conffiles"]);
        Assert.Equal("/etc/mcpzero/mcpzero.json", conffiles.Stdout.Trim());
    }

    [Fact]
    public async Task PackageDocumentsCopyrightAndChangelog()
    {
        string props = File.ReadAllText(Path.Combine(RepositoryRoot, "src", "Directory.Build.props"));
        string version = Regex.Match(props, "<Version>(.*)</Version>").Groups[1].Value;
        string control = File.ReadAllText(Path.Combine(RepositoryRoot, "systemd", "debian", "control"));
        string maintainer = Regex.Match(control, "^Maintainer: (.*)$", RegexOptions.Multiline).Groups[1].Value;
        string extracted = TestPaths.NewTestDirectory();
        try
        {
            CliResult extract = await RunToolAsync("dpkg-deb", ["-x", DebPackage, extracted]);
            Assert.True(extract.ExitCode == 0, $"dpkg-deb -x failed: {extract}");
            string doc = Path.Combine(extracted, "usr/share/doc/mcpzero");

            string[] copyright = File.ReadAllLines(Path.Combine(doc, "copyright"));
            Assert.Equal("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/", copyright[0]);
            Assert.Contains("Upstream-Name: mcpzero", copyright);
            int files = Array.IndexOf(copyright, "Files: *");
            Assert.True(files > 0, "the copyright file has no 'Files: *' paragraph");
            Assert.Equal("License: all-rights-reserved", copyright.Skip(files).First(line => line.StartsWith("License:", StringComparison.Ordinal)));

            string[] changelog;
            await using (var gzip = new GZipStream(File.OpenRead(Path.Combine(doc, "changelog.Debian.gz")), CompressionMode.Decompress))
            using (var reader = new StreamReader(gzip))
            {
                changelog = (await reader.ReadToEndAsync().WaitAsync(ToolTimeout)).Split('\n');
            }

            Assert.Equal($"mcpzero ({version}) unstable; urgency=medium", changelog[0]);
            Assert.Contains("  * Initial package.", changelog);
            string trailer = changelog.Single(line => line.StartsWith(" -- ", StringComparison.Ordinal));
            Assert.StartsWith($" -- {maintainer}  ", trailer);
            Assert.Matches(@"  [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$", trailer);
        }
        finally
        {
            Directory.Delete(extracted, recursive: true);
        }
    }

    [Fact]
    public async Task PackagedUnitsVerify()
    {
        string extracted = TestPaths.NewTestDirectory();
        try
        {
            CliResult extract = await RunToolAsync("dpkg-deb", ["-x", DebPackage, extracted]);
            Assert.True(extract.ExitCode == 0, $"dpkg-deb -x failed: {extract}");
            Assert.Contains("ExecStart=/usr/bin/mcpzero serve", File.ReadAllLines(Path.Combine(extracted, "lib/systemd/system/mcpzero.service")));

            string verifyRoot = CreateVerifyRoot(extracted);
            CliResult result = await RunToolAsync("systemd-analyze", ["verify", "--root=" + verifyRoot, "mcpzero.service", "mcpzero.socket"]);
            Directory.Delete(verifyRoot, recursive: true);

            Assert.True(result.ExitCode == 0, $"systemd-analyze verify failed on the packaged units: {result}");
            Assert.True(result.Stderr.Trim().Length == 0, $"systemd-analyze verify printed warnings: {result}");
        }
        finally
        {
            Directory.Delete(extracted, recursive: true);
        }
    }

    /// <summary>
    /// Installs the package in a booted Debian container and drives the service through its socket.
    /// Needs a running systemd on the host, systemd-nspawn, root, and MCPZERO_NSPAWN_ROOT naming a
    /// Debian 12 tree with systemd, for example from
    /// `debootstrap --include=systemd,dbus bookworm DIR`. The tree is copied, never changed.
    /// </summary>
    [BootableSystemdFact]
    public async Task PackageBootsInContainer()
    {
        Assert.Null(BootSkipReason(out string? imageRoot));

        string machine = TestPaths.NewTestDirectory();
        string root = Path.Combine(machine, "root");
        try
        {
            CliResult copy = await RunToolAsync("cp", ["-a", "--reflink=auto", imageRoot!, root]);
            Assert.True(copy.ExitCode == 0, $"copying {imageRoot} failed: {copy}");
            File.Copy(DebPackage, Path.Combine(root, "tmp/mcpzero.deb"));

            CliResult install = await RunToolAsync("systemd-nspawn", ["--quiet", "-D", root, "dpkg", "-i", "/tmp/mcpzero.deb"]);
            Assert.True(install.ExitCode == 0, $"dpkg -i in the container failed: {install}");

            WriteBootCheck(root);
            CliResult boot = await RunToolAsync("systemd-nspawn", ["--quiet", "-D", root, "--machine=mz-" + Path.GetFileName(machine), "--console=passive", "-b"], BootTimeout);
            string resultFile = Path.Combine(root, "var/tmp/mcpzero-boot-check.txt");
            Assert.True(File.Exists(resultFile), $"the boot check wrote no result; nspawn: {boot}");
            string[] results = File.ReadAllLines(resultFile);
            _output.WriteLine(string.Join('\n', results));

            Assert.Contains("socket=660 mcpzero mcpzero", results);
            Assert.Contains("status=0", results);
            Assert.Contains("ActiveState=active", results);
            Assert.Contains("user=mcpzero", results);
            Assert.Contains("WatchdogUSec=30s", results);
            Assert.Contains("plugin-after-restart=hello", results);
        }
        finally
        {
            Directory.Delete(machine, recursive: true);
        }
    }

    internal static string? BootSkipReason(out string? imageRoot)
    {
        imageRoot = Environment.GetEnvironmentVariable("MCPZERO_NSPAWN_ROOT");
        if (!Directory.Exists("/run/systemd/system"))
        {
            return "PID 1 is not systemd (/run/systemd/system is missing), so systemd-nspawn cannot register and boot a container here.";
        }

        if (FindOnPath("systemd-nspawn") is null)
        {
            return "systemd-nspawn is not installed (Debian package systemd-container).";
        }

        if (GetEffectiveUserId() != 0)
        {
            return "booting a container with systemd-nspawn needs root.";
        }

        if (imageRoot is null || !File.Exists(Path.Combine(imageRoot, "lib/systemd/systemd")))
        {
            return "MCPZERO_NSPAWN_ROOT does not name a Debian tree with systemd; make one with `debootstrap --include=systemd,dbus bookworm DIR`.";
        }

        return null;
    }

    /// <summary>Adds a unit that runs once after boot, records what it sees and powers the container off.</summary>
    private static void WriteBootCheck(string root)
    {
        string script = """
            #!/bin/sh
            out=/var/tmp/mcpzero-boot-check.txt
            socket=/run/mcpzero/mcpzero.sock
            {
                echo "socket=$(stat -c '%a %U %G' $socket)"
                timeout 60 mcpzero status --socket $socket >/dev/null; echo "status=$?"
                systemctl show -p ActiveState -p WatchdogUSec mcpzero.service
                echo "user=$(stat -c %U /proc/"$(systemctl show -p MainPID --value mcpzero.service)")"
                # The service installs only signed bundles, so sign hello with a key it trusts.
                mcpzero plugin keygen --out /var/tmp/keys --name boot >/dev/null
                install -D -m 0644 /var/tmp/keys/boot.pub /var/lib/mcpzero/trusted-keys/boot.pub
                mkdir -p /var/tmp/hello
                cp /usr/share/doc/mcpzero/hello.wasm /var/tmp/hello/plugin.wasm
                printf '{"name":"hello","version":"1.0.0"}' > /var/tmp/hello/manifest.json
                mcpzero plugin sign /var/tmp/hello --key /var/tmp/keys/boot.key >/dev/null
                mcpzero plugin install /var/tmp/hello --socket $socket >/dev/null 2>&1 || true
                systemctl restart mcpzero.service
                echo "plugin-after-restart=$(mcpzero plugin list --socket $socket | awk 'NR > 1 { print $1 }')"
            } > $out 2>&1
            systemctl poweroff
            """;
        File.WriteAllText(Path.Combine(root, "usr/local/sbin/mcpzero-boot-check"), script.Replace("\r", string.Empty) + "\n");
        File.SetUnixFileMode(Path.Combine(root, "usr/local/sbin/mcpzero-boot-check"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Copy(TestPaths.Plugin("hello"), Path.Combine(root, "usr/share/doc/mcpzero/hello.wasm"));

        string unit = """
            [Unit]
            Description=MCP-ZERO boot check
            After=mcpzero.socket multi-user.target

            [Service]
            Type=oneshot
            ExecStart=/usr/local/sbin/mcpzero-boot-check
            """;
        File.WriteAllText(Path.Combine(root, "etc/systemd/system/mcpzero-boot-check.service"), unit + "\n");
        string wants = Path.Combine(root, "etc/systemd/system/multi-user.target.wants");
        Directory.CreateDirectory(wants);
        File.CreateSymbolicLink(Path.Combine(wants, "mcpzero-boot-check.service"), "/etc/systemd/system/mcpzero-boot-check.service");
    }

    /// <summary>
    /// Copies an install tree into a new root beside the host's own system units, which the units
    /// depend on (sysinit.target, sockets.target), so that `systemd-analyze verify --root` checks
    /// ExecStart against the installed binary instead of the host's /usr/local.
    /// </summary>
    private static string CreateVerifyRoot(string installTree)
    {
        string root = TestPaths.NewTestDirectory();
        CopyDirectory(installTree, root);
        string hostUnits = Directory.Exists("/usr/lib/systemd/system") ? "/usr/lib/systemd/system" : "/lib/systemd/system";
        CopyDirectory(hostUnits, Path.Combine(root, "usr/lib/systemd/system"));
        return root;
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string entry in Directory.EnumerateFileSystemEntries(source))
        {
            string target = Path.Combine(destination, Path.GetFileName(entry));
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null)
            {
                File.CreateSymbolicLink(target, info.LinkTarget);
            }
            else if (Directory.Exists(entry))
            {
                CopyDirectory(entry, target);
            }
            else
            {
                File.Copy(entry, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(entry));
            }
        }
    }

    /// <summary>Runs the installed bash completion for the words of a command line, the last word being the one completed.</summary>
    private static async Task<string[]> CompleteAsync(params string[] words)
    {
        string completion = Path.Combine(InstallRoot, "usr/local/share/bash-completion/completions/mcpzero");
        string script = """
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
            _mcpzero
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        CliResult result = await RunToolAsync("bash", ["-c", script, "bash", completion, .. words]);
        Assert.True(result.ExitCode == 0, $"completion of '{string.Join(' ', words)}' failed: {result}");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<CliResult> WaitForStatusAsync(string socket, Process daemon)
    {
        var deadline = Stopwatch.StartNew();
        CliResult status = new(-1, string.Empty, "not tried");
        while (deadline.Elapsed < Daemon.StartTimeout && !daemon.HasExited)
        {
            status = await Daemon.RunBinaryAsync(["status", "--socket", socket]);
            if (status.ExitCode == 0)
            {
                return status;
            }

            await Task.Delay(100);
        }

        return status;
    }

    private static long ParseBytes(string[] lines, string key)
    {
        string? line = lines.FirstOrDefault(candidate => candidate.StartsWith(key, StringComparison.Ordinal));
        Assert.True(line is not null, $"{key} is missing from the service");
        string value = line[key.Length..];
        Assert.True(value.All(char.IsAsciiDigit), $"{line} must be a number of bytes without a suffix");
        return long.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Returns the lines of one section of a unit file, without the header.</summary>
    private static string[] ReadSection(string[] lines, string header)
    {
        int start = Array.IndexOf(lines, header);
        Assert.True(start >= 0, $"the unit has no {header} section");
        return lines.Skip(start + 1).TakeWhile(line => !line.StartsWith('[')).ToArray();
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);

    private static Task<CliResult> RunToolAsync(string tool, IReadOnlyList<string> args) => RunToolAsync(tool, args, ToolTimeout);

    private static async Task<CliResult> RunToolAsync(string tool, IReadOnlyList<string> args, TimeSpan timeout)
    {
        string path = FindOnPath(tool) ?? throw new FileNotFoundException($"{tool} is not on PATH; install it (systemctl, systemd-analyze, systemd-sysusers and systemd-tmpfiles come with the Debian package systemd, dpkg-deb with dpkg, make with make)");
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SYSTEMD_COLORS"] = "0";
        info.Environment["LC_ALL"] = "C.UTF-8";

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + path);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within {timeout}");
        }

        return new CliResult(process.ExitCode, await stdout.WaitAsync(cancellation.Token), await stderr.WaitAsync(cancellation.Token));
    }

    [GeneratedRegex(@"Overall exposure level for mcpzero\.service: (?<score>\d+\.\d+) \S+")]
    private static partial Regex ExposureLine();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}

/// <summary>A fact that xunit reports as skipped, with the reason, where no container can be booted.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BootableSystemdFactAttribute : FactAttribute
{
    public BootableSystemdFactAttribute()
    {
        Skip = ServiceUnitTests.BootSkipReason(out _);
    }
}
