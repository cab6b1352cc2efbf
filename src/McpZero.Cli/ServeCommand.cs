using McpZero.Server;

namespace McpZero.Cli;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        CommandLine line = CommandLine.Parse(args, new CommandSpec("serve", 0, ["socket", "data", "config", "max-frame-bytes", "instances-per-plugin", "trusted-keys"], ["allow-unsigned-plugins"]));

        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        AddOverride(overrides, "SocketPath", line.Option("socket"));
        AddOverride(overrides, "DataDirectory", line.Option("data"));
        AddOverride(overrides, "MaxFrameBytes", line.Option("max-frame-bytes"));
        AddOverride(overrides, "InstancesPerPlugin", line.Option("instances-per-plugin"));
        AddOverride(overrides, "TrustedKeysDirectory", line.Option("trusted-keys"));
        AddOverride(overrides, "AllowUnsignedPlugins", line.Flag("allow-unsigned-plugins") ? "true" : null);
        string? configFile = line.Option("config");

        GcHeapLimit heapLimit;
        try
        {
            heapLimit = GcHeapLimit.ReadAndCheck();
        }
        catch (InvalidOperationException ex)
        {
            Output.Error.WriteLine($"mcpzero: refusing to start: {ex.Message}");
            return Cli.ExitServerError;
        }

        if (configFile is not null && Directory.Exists(configFile))
        {
            throw new UsageException($"configuration file '{configFile}' is a directory; give a JSON file");
        }

        if (configFile is not null && !File.Exists(configFile))
        {
            throw new UsageException($"configuration file '{configFile}' not found");
        }

        return await DaemonHost.RunAsync(configFile, overrides, heapLimit).ConfigureAwait(false);
    }

    private static void AddOverride(Dictionary<string, string?> overrides, string key, string? value)
    {
        if (value is not null)
        {
            overrides[key] = value;
        }
    }
}
