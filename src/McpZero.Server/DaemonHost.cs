using System.Globalization;
using System.Runtime;
using McpZero.Server.Systemd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpZero.Server;

/// <summary>Builds and runs the daemon: <c>mcpzero serve</c>.</summary>
public static partial class DaemonHost
{
    public const string DefaultConfigFile = "/etc/mcpzero/mcpzero.json";
    public const string EnvironmentPrefix = "MCPZERO__";

    // FASTER completes its device writes on thread-pool threads, and store writes under the sync commit
    // policy block a thread-pool thread until their commit is durable. With the runtime's default
    // minimum of one worker per core, the first commits after start-up waited for the pool's
    // starvation injection: one call took about 0.75 to 1 s (perf/agent-bench.sh, 2-core VM).
    // Idle workers cost no CPU, and the pool still creates them only on demand.
    private const int MinimumThreadPoolWorkers = 16;

    private static void RaiseThreadPoolMinimum()
    {
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        if (workers < MinimumThreadPoolWorkers)
        {
            ThreadPool.SetMinThreads(MinimumThreadPoolWorkers, completionPorts);
        }
    }

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
        MemoryPlan memoryPlan;
        double configuredCpuBudgetPercent;
        int configuredMaxConnections;
        SocketActivation? activation;
        SystemdNotifier? notifier;
        ResourceLimits.RaiseOpenFilesSoftLimit();
        ResourceLimits limits = ResourceLimits.Read();
        try
        {
            options = ServerOptions.FromConfiguration(builder.Configuration);
            configuredMaxConnections = options.MaxConnections;
            notifier = SystemdNotifier.FromEnvironment();
            activation = SocketActivation.TakeFromEnvironment();
            options = options with
            {
                SocketPath = activation?.SocketPath ?? options.SocketPath,
                MaxConnections = ResourceSizing.CapConnections(options.MaxConnections, limits.OpenFilesSoft),
                // Executions are CPU-bound, so more workers than cores would only contend for them.
                MaxConcurrentExecutions = ResourceSizing.CapExecutions(Math.Min(options.MaxConcurrentExecutions, Environment.ProcessorCount), limits.Cpu),
            };
            configuredCpuBudgetPercent = options.CpuBudgetPercent;
            options = options with { CpuBudgetPercent = ResourceSizing.CapCpuBudget(options.CpuBudgetPercent, limits.Cpu) };
            memoryPlan = MemoryPlan.Derive(options.MemoryCeilingBytes, heapLimit.EffectiveBytes, (long)options.DefaultMemoryMb * Mebibyte);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"mcpzero: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (ServerStartException ex)
        {
            await Console.Error.WriteLineAsync($"mcpzero: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        RaiseThreadPoolMinimum();
        ConfigureLogging(builder);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout + TimeSpan.FromSeconds(30));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(memoryPlan);
        builder.Services.AddSingleton<ServerState>();
        builder.Services.AddSingleton<AgentRuntimeService>();
        builder.Services.AddHostedService(static services => services.GetRequiredService<AgentRuntimeService>());
        builder.Services.AddSingleton<RequestDispatcher>();
        AddMetrics(builder.Services, options);
        if (activation is not null)
        {
            builder.Services.AddSingleton(activation);
        }

        builder.Services.AddHostedService<UnixSocketServer>();

        // NOTIFY_SOCKET alone switches notification on, whatever the parent process is. Registered
        // after the socket server, this service starts last and sends READY=1 once all have started.
        if (notifier is not null)
        {
            builder.Services.AddSingleton(notifier);
            builder.Services.AddHostedService<SystemdNotifyService>();
        }

        using IHost host = builder.Build();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("McpZero.Daemon");
        Log.Starting(logger, ServerInfo.Version, Environment.ProcessId, heapLimit.EffectiveBytes / (1024 * 1024), heapLimit.Source);
        foreach (string key in ServerOptions.FindUnknownKeys(builder.Configuration))
        {
            Log.UnknownConfigurationKey(logger, key);
        }

        LogResourceLimits(logger, limits, configuredMaxConnections, options, heapLimit);
        LogGovernance(logger, options, memoryPlan, configuredCpuBudgetPercent);
        if (limits.MemoryMaxBytes is long memoryMax && memoryMax < memoryPlan.CeilingBytes)
        {
            Log.MemoryMaxBelowCeiling(logger, memoryMax, memoryPlan.CeilingBytes);
        }
        if (activation is not null)
        {
            Log.SocketActivated(logger, activation.SocketPath, SocketActivation.FirstDescriptor);
            if (activation.PassedCount > 1)
            {
                Log.ExtraListenDescriptors(logger, activation.PassedCount);
            }
        }

        try
        {
            // The checks that can fail run before the host starts, so a rejection is reported once
            // and the store of a daemon that is already running is never opened a second time.
            // A passed socket belongs to systemd, which listens on its path by design.
            if (activation is null)
            {
                SocketPathGuard.PrepareForBind(options.SocketPath);
            }

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

    /// <summary>
    /// Writes one line per message to the console. When systemd connects the output to the journal,
    /// each line starts with a syslog priority such as <c>&lt;6&gt;</c>, which the journal stores as
    /// the entry's priority, and carries no timestamp, because the journal records the time itself.
    /// </summary>
    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        bool toJournal = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null
            || Environment.GetEnvironmentVariable("INVOCATION_ID") is not null;
        if (toJournal)
        {
            builder.Logging.AddSystemdConsole();
            builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
            return;
        }

        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
    }

    private static void LogResourceLimits(ILogger logger, ResourceLimits limits, int configuredMaxConnections, ServerOptions options, GcHeapLimit heapLimit)
    {
        Log.ResourceLimits(
            logger,
            limits.CgroupPath ?? "unknown",
            FormatBytes(limits.MemoryMaxBytes),
            FormatBytes(limits.MemoryHighBytes),
            limits.Cpu is CpuQuota cpu ? $"{cpu.QuotaMicros} {cpu.PeriodMicros} ({cpu.PercentOfOneCpu:0.#}% of one CPU)" : "max",
            limits.OpenFilesSoft?.ToString(CultureInfo.InvariantCulture) ?? "unlimited",
            limits.OpenFilesHard?.ToString(CultureInfo.InvariantCulture) ?? "unlimited",
            options.MaxConnections);

        if (limits.OpenFilesSoft is long openFiles && options.MaxConnections < configuredMaxConnections)
        {
            Log.ConnectionsCapped(logger, configuredMaxConnections, options.MaxConnections, openFiles, ResourceSizing.ReservedDescriptors);
        }

        if (limits.Cpu is CpuQuota quota)
        {
            Log.ExecutionsCapped(logger, options.MaxConcurrentExecutions, quota.PercentOfOneCpu);
        }

        if (ResourceSizing.IsMemoryMaxTooLow(limits.MemoryMaxBytes, heapLimit.EffectiveBytes))
        {
            Log.MemoryMaxBelowHeapLimit(logger, limits.MemoryMaxBytes!.Value / Mebibyte, heapLimit.EffectiveBytes / Mebibyte, ResourceSizing.MemoryHeadroomBytes / Mebibyte);
        }
    }

    private static void LogGovernance(ILogger logger, ServerOptions options, MemoryPlan plan, double configuredCpuBudgetPercent)
    {
        Log.MemoryPlan(logger, plan.CeilingBytes, plan.GcHeapLimitBytes, plan.StoreMemoryBytes, plan.NativeReserveBytes, plan.WasmBudgetBytes);
        if (!options.AdmissionControl)
        {
            Log.AdmissionControlOff(logger, options.MaxConcurrentExecutions);
            return;
        }

        string cpuSource = options.CpuBudgetPercent < configuredCpuBudgetPercent ? "the cgroup's CPU quota" : "CpuBudgetPercent";
        Log.ExecutionAdmission(logger, options.CpuBudgetPercent, cpuSource, options.MaxConcurrentExecutions, options.MaxQueuedPerAgent,
            options.MaxQueuedExecutions, plan.QueuedInputBytes, (long)options.QueueTimeout.TotalMilliseconds);
    }

    private const long Mebibyte = 1024 * 1024;

    private static string FormatBytes(long? bytes) =>
        bytes is long value ? $"{value} bytes ({value / (double)Mebibyte:0.#} MiB)" : "max";
}
