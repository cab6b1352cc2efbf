using System.Text;

namespace McpZero.Plugins.Tests;

/// <summary>
/// WASI for plugins: preopened directories from allowed_paths (none by default, read-only unless marked
/// writable) and the per-call bound on stdout.
/// </summary>
public sealed class WasiTests : IDisposable
{
    private readonly EngineFixture _fixture = new();
    private readonly PluginModule _module;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mcpzero-paths-" + Guid.NewGuid().ToString("N"));

    public WasiTests()
    {
        _module = _fixture.Load("wasi_files");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "in.txt"), "file contents");
    }

    private PluginEngine Engine => _fixture.Engine;

    public void Dispose()
    {
        _module.Dispose();
        _fixture.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void ReadOnlyGrant_AllowsRead()
    {
        PluginCallResult result = Engine.Call(_module, FileCall("read_file", writable: false));

        Assert.Equal("file contents", Encoding.UTF8.GetString(result.Output));
    }

    [Fact]
    public void ReadOnlyGrant_RejectsWrite()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_module, FileCall("write_file", writable: false)));

        Assert.Equal(PluginErrorKind.PluginError, error.Kind);
        Assert.Contains("plugin returned", error.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "out.txt")));
    }

    [Fact]
    public void WritableGrant_AllowsWrite()
    {
        Engine.Call(_module, FileCall("write_file", writable: true));

        Assert.Equal("payload", File.ReadAllText(Path.Combine(_directory, "out.txt")));
    }

    [Fact]
    public void NoGrant_HasNoFilesystem()
    {
        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_module, EngineFixture.Call("read_file")));

        // WASI errno 8 is EBADF: descriptor 3 does not exist without a preopened directory.
        Assert.Equal(PluginErrorKind.PluginError, error.Kind);
        Assert.Contains("plugin returned 8", error.Message);
    }

    [Fact]
    public void ChangedGrant_CreatesNewInstance()
    {
        Assert.Throws<PluginException>(() => Engine.Call(_module, FileCall("write_file", writable: false)));

        Engine.Call(_module, FileCall("write_file", writable: true));

        Assert.Equal("payload", File.ReadAllText(Path.Combine(_directory, "out.txt")));
    }

    [Fact]
    public void MissingDirectory_FailsNamingIt()
    {
        string missing = Path.Combine(_directory, "missing");
        PluginCall call = WithPaths(EngineFixture.Call("read_file"), [new PluginPathGrant(missing, "/data", false)]);

        PluginException error = Assert.Throws<PluginException>(() => Engine.Call(_module, call));

        Assert.Contains(missing, error.Message);
        Assert.Contains("allowed_paths", error.Message);
    }

    [Fact]
    public void Stdout_BoundedPerCall()
    {
        for (int call = 0; call < 2; call++)
        {
            var logger = new CapturingLogger();
            PluginCall template = EngineFixture.Call("print_many");

            Engine.Call(_module, new PluginCall
            {
                AgentId = template.AgentId,
                Method = template.Method,
                Input = template.Input,
                Config = template.Config,
                Variables = template.Variables,
                Log = logger,
            });

            // 3000 writes of 7 bytes: the first 16 KiB are kept, and each call starts counting again.
            (_, string message) = Assert.Single(logger.Entries);
            Assert.EndsWith("[4616 more bytes dropped]", message);
            Assert.Contains(string.Concat(Enumerable.Repeat("payload", 2340)), message);
        }
    }

    private PluginCall FileCall(string method, bool writable)
    {
        return WithPaths(EngineFixture.Call(method), [new PluginPathGrant(_directory, "/data", writable)]);
    }

    private static PluginCall WithPaths(PluginCall call, IReadOnlyList<PluginPathGrant> grants)
    {
        return new PluginCall
        {
            AgentId = call.AgentId,
            Method = call.Method,
            Input = call.Input,
            Config = call.Config,
            Variables = call.Variables,
            Limits = call.Limits,
            AllowedPaths = grants,
        };
    }
}
