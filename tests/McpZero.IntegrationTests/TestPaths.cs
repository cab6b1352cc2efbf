namespace McpZero.IntegrationTests;

/// <summary>Where the built binary and plugins are: set by `make test`, else found from the repository root.</summary>
internal static class TestPaths
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    public static string Binary => Environment.GetEnvironmentVariable("MCPZERO_BIN") ?? Path.Combine(RepositoryRoot, "out", "bin", "mcpzero");

    public static string Plugins => Environment.GetEnvironmentVariable("MCPZERO_PLUGINS") ?? Path.Combine(RepositoryRoot, "out", "plugins");

    public static string TestPlugins => Environment.GetEnvironmentVariable("MCPZERO_TEST_PLUGINS") ?? Path.Combine(RepositoryRoot, "out", "test-plugins");

    public static string Plugin(string name) => RequireFile(Path.Combine(Plugins, name + ".wasm"));

    public static string TestPlugin(string name) => RequireFile(Path.Combine(TestPlugins, name + ".wasm"));

    /// <summary>The recorded request frames of one protocol version, checked in under this project's Corpus folder.</summary>
    public static string Corpus(string version) => Path.Combine(RepositoryRoot, "tests", "McpZero.IntegrationTests", "Corpus", version);

    /// <summary>Creates a fresh folder for one test; short, because a socket path must fit in 108 bytes.</summary>
    public static string NewTestDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "mz-it", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"'{path}' is missing; build it with `make plugins test-plugins`", path);

    private static string FindRepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "McpZero.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("cannot find McpZero.sln above the test binaries");
    }
}
