using System.Formats.Tar;
using System.Text.Json;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>Signed bundles against a daemon that enforces signatures, as a service runs.</summary>
public sealed class PluginTrustTests
{
    [Fact]
    public async Task SignedBundleInstallsAndRuns()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        string keyId = await TrustNewKeyAsync(daemon, "dev");
        string bundle = await SignedBundleAsync(daemon, "hello", "1.0.0", TestPaths.Plugin("hello"), "dev", readme: "# hello\nGreets.\n");

        await daemon.OkAsync("plugin", "install", bundle);

        using JsonDocument shown = JsonDocument.Parse(await daemon.OkAsync("plugin", "show", "hello", "--json"));
        Assert.Equal("1.0.0", shown.RootElement.GetProperty("version").GetString());
        Assert.Equal(keyId, shown.RootElement.GetProperty("signer_key_id").GetString());
        Assert.Equal("# hello\nGreets.\n", shown.RootElement.GetProperty("readme").GetString());
        string agentId = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--plugin", "hello");
        Assert.StartsWith("Hello, Ada!", await daemon.OkAsync("agent", "exec", agentId, "greet", "Ada"));
        Assert.Contains("Accepted plugin hello@1.0.0 signed by trusted key " + keyId[..16], daemon.Log);
        Assert.Contains($"signatures required; keys in {TrustedKeysOf(daemon)}", await daemon.OkAsync("status"));

        CliResult verify = await Daemon.RunBinaryAsync(["plugin", "verify", bundle, "--trusted-keys", TrustedKeysOf(daemon)]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"hello@1.0.0 is signed by key {keyId[..16]}", verify.Stdout);
    }

    [Fact]
    public async Task UnsignedInstallsAreRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        string bundle = BundleFolder(daemon, "hello", "1.0.0", TestPaths.Plugin("hello"));

        CliResult bare = await daemon.CliAsync("plugin", "install", TestPaths.Plugin("hello"));
        CliResult unsignedBundle = await daemon.CliAsync("plugin", "install", bundle);

        Assert.Equal(1, bare.ExitCode);
        Assert.Contains("plugin 'hello' is unsigned", bare.Stderr);
        Assert.Contains("(SignatureInvalid)", bare.Stderr);
        Assert.Equal(1, unsignedBundle.ExitCode);
        Assert.Contains("plugin 'hello@1.0.0' is unsigned", unsignedBundle.Stderr);
        Assert.Contains("NAME  VERSION  SHA256  SIZE  SIGNER  AGENTS  EXPORTS", await daemon.OkAsync("plugin", "list"));
        Assert.DoesNotContain("hello", await daemon.OkAsync("plugin", "list"));
        Assert.Contains("Rejected the install of plugin hello", daemon.Log);
    }

    [Fact]
    public async Task UntrustedKeyIsRejectedByKeyId()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "trusted");
        string strangerKeyId = await NewKeyAsync(daemon, "stranger");
        string bundle = await SignedBundleAsync(daemon, "hello", "1.0.0", TestPaths.Plugin("hello"), "stranger");

        CliResult result = await daemon.CliAsync("plugin", "install", bundle);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"signed by key {strangerKeyId[..16]}, which is not trusted", result.Stderr);
        Assert.Contains(strangerKeyId, result.Stderr);
        Assert.Contains("(UntrustedSigner)", result.Stderr);
    }

    [Fact]
    public async Task TamperedModuleIsRejectedNamingHashes()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "dev");
        string bundle = await SignedBundleAsync(daemon, "hello", "1.0.0", TestPaths.Plugin("hello"), "dev");
        string signedHash = Sha256Hex(await File.ReadAllBytesAsync(Path.Combine(bundle, "plugin.wasm")));
        File.Copy(TestPaths.Plugin("data_processing"), Path.Combine(bundle, "plugin.wasm"), overwrite: true);
        string tamperedHash = Sha256Hex(await File.ReadAllBytesAsync(Path.Combine(bundle, "plugin.wasm")));

        CliResult result = await daemon.CliAsync("plugin", "install", bundle);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("plugin.wasm of plugin 'hello@1.0.0' was changed after signing", result.Stderr);
        Assert.Contains(tamperedHash, result.Stderr);
        Assert.Contains(signedHash, result.Stderr);
        Assert.Contains("(SignatureInvalid)", result.Stderr);
    }

    [Fact]
    public async Task TamperedManifestIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "dev");
        string bundle = await SignedBundleAsync(daemon, "hello", "1.0.0", TestPaths.Plugin("hello"), "dev");
        await File.WriteAllTextAsync(Path.Combine(bundle, "manifest.json"), """{"name":"hello","version":"1.0.0","config":{"greeting":"Pwned"}}""");

        CliResult result = await daemon.CliAsync("plugin", "install", bundle);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("manifest.json of plugin 'hello@1.0.0' was changed after signing", result.Stderr);
    }

    [Fact]
    public async Task TarBundleInstalls()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "dev");
        string bundle = await SignedBundleAsync(daemon, "hello", "2.1.0", TestPaths.Plugin("hello"), "dev");
        string tar = Path.Combine(daemon.Directory, "hello-2.1.0.tar");
        await TarFile.CreateFromDirectoryAsync(bundle, tar, includeBaseDirectory: true);

        await daemon.OkAsync("plugin", "install", tar);

        Assert.Matches(@"hello\s+2\.1\.0\s", await daemon.OkAsync("plugin", "list"));
    }

    [Fact]
    public async Task NameFollowsNewestAndPinStays()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "dev");
        await daemon.OkAsync("plugin", "install", await SignedBundleAsync(daemon, "greeter", "1.0.0", TestPaths.Plugin("hello"), "dev"));
        string follower = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--plugin", "greeter");
        string pinned = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--plugin", "greeter@1.0.0");

        await daemon.OkAsync("plugin", "install", await SignedBundleAsync(daemon, "greeter", "1.10.0", TestPaths.TestPlugin("misbehave"), "dev"));

        // 1.0.0 is hello, which exports greet. 1.10.0 is misbehave, which exports echo instead.
        Assert.Equal("hi", await daemon.OkAsync("agent", "exec", follower, "echo", "hi"));
        Assert.StartsWith("Hello, Ada!", await daemon.OkAsync("agent", "exec", pinned, "greet", "Ada"));
        CliResult pinnedEcho = await daemon.CliAsync("agent", "exec", pinned, "echo", "hi");
        Assert.Equal(1, pinnedEcho.ExitCode);
        Assert.Contains("(MethodNotFound)", pinnedEcho.Stderr);

        using JsonDocument shown = JsonDocument.Parse(await daemon.OkAsync("plugin", "show", "greeter", "--json"));
        Assert.Equal("1.10.0", shown.RootElement.GetProperty("version").GetString());
        Assert.Equal(["1.0.0", "1.10.0"], shown.RootElement.GetProperty("installed_versions").EnumerateArray().Select(version => version.GetString()));
        string list = await daemon.OkAsync("plugin", "list");
        Assert.Matches(@"greeter\s+1\.0\.0\s.*\n.*greeter\s+1\.10\.0\s", list);
        string traces = await daemon.OkAsync("trace", "list", "--agent", follower);
        Assert.Contains("greeter@1.10.0.echo", traces);

        // Failures and per-method stats name the version that ran, as traces do.
        CliResult trap = await daemon.CliAsync("agent", "exec", follower, "trap");
        Assert.Equal(1, trap.ExitCode);
        Assert.Contains("'greeter@1.10.0'", trap.Stderr);
        string stats = await daemon.OkAsync("stats");
        Assert.Matches(@"greeter@1\.10\.0\s+echo", stats);
        Assert.Matches(@"greeter@1\.0\.0\s+greet", stats);
    }

    [Fact]
    public async Task RemoveRejectedWhilePinned()
    {
        await using Daemon daemon = await Daemon.StartAsync(allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "dev");
        await daemon.OkAsync("plugin", "install", await SignedBundleAsync(daemon, "greeter", "1.0.0", TestPaths.Plugin("hello"), "dev"));
        await daemon.OkAsync("plugin", "install", await SignedBundleAsync(daemon, "greeter", "2.0.0", TestPaths.TestPlugin("misbehave"), "dev"));
        string pinned = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--plugin", "greeter@1.0.0");
        string follower = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--plugin", "greeter");

        CliResult removePinned = await daemon.CliAsync("plugin", "remove", "greeter@1.0.0");
        CliResult removeAll = await daemon.CliAsync("plugin", "remove", "greeter");

        Assert.Equal(1, removePinned.ExitCode);
        Assert.Contains($"plugin 'greeter@1.0.0' is pinned by agent(s) {pinned}", removePinned.Stderr);
        Assert.Equal(1, removeAll.ExitCode);
        Assert.Contains(pinned, removeAll.Stderr);
        Assert.Contains(follower, removeAll.Stderr);

        // The follower falls back to 1.0.0 when 2.0.0 goes, so removing 2.0.0 is allowed.
        await daemon.OkAsync("plugin", "remove", "greeter@2.0.0");
        Assert.StartsWith("Hello, Ada!", await daemon.OkAsync("agent", "exec", follower, "greet", "Ada"));

        await daemon.OkAsync("agent", "terminate", pinned);
        CliResult removeLast = await daemon.CliAsync("plugin", "remove", "greeter@1.0.0");
        Assert.Equal(1, removeLast.ExitCode);
        Assert.Contains($"only installed version of 'greeter', which agent(s) {follower} use", removeLast.Stderr);

        await daemon.OkAsync("agent", "terminate", follower);
        await daemon.OkAsync("plugin", "remove", "greeter");
        Assert.DoesNotContain("greeter", await daemon.OkAsync("plugin", "list"));
    }

    [Fact]
    public async Task CallInFlightFinishesOnOldVersion()
    {
        // Admission control off: the spinning call must not use up the CPU budget of the second call.
        var environment = new Dictionary<string, string> { ["MCPZERO__ADMISSIONCONTROL"] = "false" };
        await using Daemon daemon = await Daemon.StartAsync(environment: environment, allowUnsignedPlugins: false);
        await TrustNewKeyAsync(daemon, "dev");
        await daemon.OkAsync("plugin", "install", await SignedBundleAsync(daemon, "work", "1.0.0", TestPaths.TestPlugin("misbehave"), "dev"));
        string spinner = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--timeout-ms", "3000", "--plugin", "work");
        string other = await daemon.OkAsync("agent", "spawn", "--owner", "t", "--plugin", "work");

        // misbehave's spin loops until the agent's timeout stops it.
        await using McpZeroClient client = await daemon.ConnectAsync();
        Task<CliResult> spinning = daemon.CliAsync("agent", "exec", spinner, "spin");
        await WaitForRunningExecutionAsync(client);

        await daemon.OkAsync("plugin", "install", await SignedBundleAsync(daemon, "work", "2.0.0", TestPaths.Plugin("hello"), "dev"));
        string greeting = await daemon.OkAsync("agent", "exec", other, "greet", "Ada");
        Assert.False(spinning.IsCompleted, "the spinning call ended before the new version answered");
        CliResult spun = await spinning.WaitAsync(Daemon.CommandTimeout);

        Assert.StartsWith("Hello, Ada!", greeting);

        // hello has no spin export, so a timeout proves that the call kept running on 1.0.0.
        Assert.Equal(1, spun.ExitCode);
        Assert.Contains("(PluginTimeout)", spun.Stderr);
        Assert.Contains("work@1.0.0.spin", await daemon.OkAsync("trace", "list", "--agent", spinner));
        Assert.Contains("work@2.0.0.greet", await daemon.OkAsync("trace", "list", "--agent", other));
    }

    [Fact]
    public async Task OversizedReadmeIsRejected()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        string bundle = BundleFolder(daemon, "hello", "1.0.0", TestPaths.Plugin("hello"), readme: new string('x', 64 * 1024 + 1));

        CliResult result = await daemon.CliAsync("plugin", "install", bundle);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("README.md of plugin 'hello' has 65537 characters; the maximum is 65536", result.Stderr);
        Assert.Contains("(InvalidArgument)", result.Stderr);
    }

    private static async Task WaitForRunningExecutionAsync(McpZeroClient client)
    {
        using var timeout = new CancellationTokenSource(Daemon.CommandTimeout);
        while (true)
        {
            StatsResponse stats = await client.RequestAsync<StatsResponse>(new StatsRequest(), timeout.Token).WaitAsync(timeout.Token);
            if (stats.ExecutionsRunning > 0)
            {
                return;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static string TrustedKeysOf(Daemon daemon) => Path.Combine(daemon.DataDirectory, "trusted-keys");

    private static string KeysOf(Daemon daemon) => Path.Combine(daemon.Directory, "keys");

    /// <summary>Makes a key pair with `plugin keygen` and returns its key id.</summary>
    private static async Task<string> NewKeyAsync(Daemon daemon, string name)
    {
        CliResult result = await Daemon.RunBinaryAsync(["plugin", "keygen", "--out", KeysOf(daemon), "--name", name, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument output = JsonDocument.Parse(result.Stdout);
        return output.RootElement.GetProperty("key_id").GetString()!;
    }

    /// <summary>Makes a key pair and copies its public key into the daemon's trusted-keys folder.</summary>
    private static async Task<string> TrustNewKeyAsync(Daemon daemon, string name)
    {
        string keyId = await NewKeyAsync(daemon, name);
        Directory.CreateDirectory(TrustedKeysOf(daemon));
        File.Copy(Path.Combine(KeysOf(daemon), name + ".pub"), Path.Combine(TrustedKeysOf(daemon), name + ".pub"));
        return keyId;
    }

    private static string BundleFolder(Daemon daemon, string name, string version, string module, string? readme = null)
    {
        string folder = Path.Combine(daemon.Directory, "bundles", $"{name}-{version}");
        Directory.CreateDirectory(folder);
        File.Copy(module, Path.Combine(folder, "plugin.wasm"));
        File.WriteAllText(Path.Combine(folder, "manifest.json"), $$"""{"name":"{{name}}","version":"{{version}}","description":"test bundle"}""");
        if (readme is not null)
        {
            File.WriteAllText(Path.Combine(folder, "README.md"), readme);
        }

        return folder;
    }

    private static async Task<string> SignedBundleAsync(Daemon daemon, string name, string version, string module, string keyName, string? readme = null)
    {
        string folder = BundleFolder(daemon, name, version, module, readme);
        CliResult result = await Daemon.RunBinaryAsync(["plugin", "sign", folder, "--key", Path.Combine(KeysOf(daemon), keyName + ".key")]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return folder;
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
