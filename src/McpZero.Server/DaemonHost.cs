using System.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

/// <summary>Builds and runs the daemon: <c>mcpzero serve</c>.</summary>
public static class DaemonHost
{
    public const string DefaultConfigFile = "/etc/mcpzero/mcpzero.json";
    public const string EnvironmentPrefix = "MCPZERO__";

    /// <summary>
    /// Runs the daemon until SIGTERM or SIGINT. Configuration layers, later ones winning: the JSON
    /// file (<paramref name="configFile"/>, else <see cref="DefaultConfigFile"/> when it exists),
    /// <c>MCPZERO__KEY</c> environment variables, then <paramref name="overrides"/> from flags.
    /// </summary>
    /// <returns>0 after a clean stop, 1 when the daemon could not start.</returns>
    public static async Task<int> RunAsync(string? configFile, IReadOnlyDictionary<string, string?> overrides, GcHeapLimit heapLimit)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        // A relative --config is relative to the working directory, not to the binary's folder,
        // which is where the JSON provider would look.
        builder.Configuration.AddJsonFile(Path.GetFullPath(configFile ?? DefaultConfigFile), optional: configFile is null, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddInMemoryCollection(overrides);

        ServerOptions options;
        try
        {
            options = ServerOptions.FromConfiguration(builder.Configuration);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"mcpzero: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout + TimeSpan.FromSeconds(30));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ServerState>();
        builder.Services.AddSingleton<AgentRuntimeService>();
        builder.Services.AddHostedService(static services => services.GetRequiredService<AgentRuntimeService>());
        builder.Services.AddSingleton<RequestDispatcher>();
        builder.Services.AddHostedService<UnixSocketServer>();

        using IHost host = builder.Build();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("McpZero.Daemon");
        Log.Starting(logger, ServerInfo.Version, Environment.ProcessId, heapLimit.EffectiveBytes / (1024 * 1024), heapLimit.Source);
        foreach (string key in ServerOptions.FindUnknownKeys(builder.Configuration))
        {
            Log.UnknownConfigurationKey(logger, key);
        }

        try
        {
            // The checks that can fail run before the host starts, so a refusal is reported once
            // and the store of a daemon that is already running is never opened a second time.
            SocketPathGuard.EnsureNotInUse(options.SocketPath);
            host.Services.GetRequiredService<AgentRuntimeService>().Open();
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ServerStartException or Agents.AgentException)
        {
            Log.CannotStart(logger, ex.Message);
            await Console.Error.WriteLineAsync($"mcpzero: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        // Start-up leaves megabytes of short-lived buffers behind (FASTER recovery, configuration,
        // logging). One compacting collection, large object heap included, returns their pages
        // before the daemon goes idle; the workstation GC would otherwise keep them committed.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        await host.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}
