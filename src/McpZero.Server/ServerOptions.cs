using System.Globalization;
using McpZero.Protocol;
using McpZero.Storage;
using Microsoft.Extensions.Configuration;

namespace McpZero.Server;

/// <summary>
/// Daemon settings. Read from configuration keys of the same names (file, <c>MCPZERO__</c>
/// environment variables, then flags) and validated once at start-up.
/// </summary>
/// <remarks>
/// A record, so that start-up can derive the options in effect with <c>with</c>: the socket that
/// systemd passed, or a connection limit lowered to the open-files limit.
/// </remarks>
public sealed record ServerOptions
{
    public const string DevelopmentSocketPath = "var/mcpzero.sock";
    public const string DevelopmentDataDirectory = "var";
    public const string ServiceSocketPath = "/run/mcpzero/mcpzero.sock";
    public const string ServiceDataDirectory = "/var/lib/mcpzero";

    /// <summary>Room kept in a frame for an exec request's fields other than its input.</summary>
    public const int RequestOverheadBytes = 512;

    public required string SocketPath { get; init; }

    public required string DataDirectory { get; init; }

    /// <summary>Permission bits of the socket file.</summary>
    public UnixFileMode SocketMode { get; init; } = (UnixFileMode)Convert.ToInt32("660", 8);

    /// <summary>Largest frame body accepted, in bytes.</summary>
    public uint MaxFrameBytes { get; init; } = FrameReader.DefaultMaxBodyBytes;

    /// <summary>Time SIGTERM waits for in-flight requests before closing connections.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxConnections { get; init; } = 256;

    public int InstancesPerPlugin { get; init; } = 4;

    /// <summary>
    /// Plugin calls that run at once; more wait. Defaults to the number of cores and is lowered at
    /// start-up to the cores and to the whole cores a cgroup CPU quota allows, at least one.
    /// </summary>
    public int MaxConcurrentExecutions { get; init; } = Environment.ProcessorCount;

    public int MaxInputBytes { get; init; } = 1024 * 1024;

    public int DefaultTimeoutMs { get; init; } = 5_000;

    public int DefaultMemoryMb { get; init; } = 64;

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    // Metrics.

    /// <summary>
    /// File that the daemon rewrites with its metrics in the Prometheus text format, for
    /// node_exporter's textfile collector; null writes none.
    /// </summary>
    public string? MetricsTextfilePath { get; init; }

    public TimeSpan MetricsTextfileInterval { get; init; } = TimeSpan.FromSeconds(15);

    // Resource governance: the memory ceiling of the whole process and admission of executions.

    /// <summary>
    /// Memory the whole process may use, in bytes. <see cref="MemoryPlan"/> checks the GC heap limit
    /// against it and derives the store's memory and the WebAssembly memory budget from it.
    /// </summary>
    public long MemoryCeilingBytes { get; init; } = MemoryPlan.DefaultCeilingBytes;

    /// <summary>
    /// Sustained CPU time of plugin executions, in percent of one core. Lowered at start-up to a
    /// cgroup CPU quota when that is smaller.
    /// </summary>
    public double CpuBudgetPercent { get; init; } = 27;

    /// <summary>Executions that may wait per agent before one more gets Busy.</summary>
    public int MaxQueuedPerAgent { get; init; } = 16;

    /// <summary>Executions that may wait over all agents before one more gets Busy.</summary>
    public int MaxQueuedExecutions { get; init; } = 256;

    /// <summary>Time an execution may wait for a worker, CPU budget and memory before it is rejected.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>False turns off the execution queues and the CPU budget, to measure their cost.</summary>
    public bool AdmissionControl { get; init; } = true;

    // Trace log: segment files and retention.

    /// <summary>Size of one trace log segment file in bytes; retention frees disk space one segment at a time.</summary>
    public long TraceSegmentBytes { get; init; } = 64L << 20;

    /// <summary>Trace log size in bytes above which retention removes the oldest records; 0 keeps everything.</summary>
    public long TraceMaxBytes { get; init; }

    /// <summary>Age after which retention removes trace records; zero keeps everything.</summary>
    public TimeSpan TraceMaxAge { get; init; }

    // Durability of the state store: when an acknowledged write reaches disk.

    /// <summary>Configuration key <c>StateCommitPolicy</c>: sync, interval or checkpoint.</summary>
    public StateCommitPolicy StateCommitPolicy { get; init; } = StateCommitPolicy.Sync;

    /// <summary>Configuration key <c>StateCommitIntervalMs</c>: journal commit period of the interval policy.</summary>
    public TimeSpan StateCommitInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    // Access control.

    /// <summary>
    /// Group whose members are admins, besides root and the daemon's uid. Admins may use every
    /// agent, install and remove plugins, create and remove pools and write the db collections.
    /// </summary>
    public string AdminGroup { get; init; } = DefaultAdminGroup;

    /// <summary>Group given to the socket file, so that its members can connect under <see cref="SocketMode"/> 0660.</summary>
    public string SocketGroup { get; init; } = DefaultSocketGroup;

    public const string DefaultAdminGroup = "mcpzero-admin";
    public const string DefaultSocketGroup = "mcpzero";

    // Plugin unloading and the result cache.

    /// <summary>
    /// Configuration key <c>PluginIdleUnloadSeconds</c>: a plugin that no call used for this long is
    /// unloaded (compiled module and warm instances) and loads again on its next call; zero never unloads.
    /// </summary>
    public TimeSpan PluginIdleUnloadAfter { get; init; } = TimeSpan.FromSeconds(DefaultPluginIdleUnloadSeconds);

    /// <summary>
    /// Configuration key <c>ResultCacheBytes</c>: bytes of cached results of exports that a manifest
    /// marks cacheable, held in the GC heap; 0 turns the cache off.
    /// </summary>
    public long ResultCacheBytes { get; init; } = DefaultResultCacheBytes;

    internal const int DefaultPluginIdleUnloadSeconds = 300;

    internal const long DefaultResultCacheBytes = 16L << 20;

    // The cache lives in the GC heap, whose hard limit is 256 MiB by default, so it may take at most half of that.
    internal const long MaxResultCacheBytes = 128L << 20;

    // Plugin trust.

    /// <summary>Configuration key <c>TrustedKeysDirectory</c>: folder of trusted signing keys; default <c>trusted-keys</c> under the data directory.</summary>
    public string? TrustedKeysDirectory { get; init; }

    /// <summary>Configuration key <c>AllowUnsignedPlugins</c>: true installs plugins without a signature, for development.</summary>
    public bool AllowUnsignedPlugins { get; init; }

    // Socket protocol: payload limits, connection timeouts and compression.

    /// <summary>Maximum body size per request type, from the configuration section <c>PayloadLimits</c>.</summary>
    public PayloadLimits PayloadLimits { get; init; } = PayloadLimits.CreateDefault(FrameReader.DefaultMaxBodyBytes, 1024 * 1024);

    /// <summary>Time a started frame may stay incomplete before the connection is closed.</summary>
    public TimeSpan FrameReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Time a connection may stay open with no request in flight and no partial frame before it is
    /// closed. Zero keeps idle connections open.
    /// </summary>
    public TimeSpan IdleConnectionTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Codec offered to clients at hello. <see cref="CompressionCodec.None"/> turns compression off.</summary>
    public CompressionCodec Compression { get; init; } = CompressionCodec.Lz4;

    /// <summary>Serialized body size in bytes above which both sides compress a body.</summary>
    public int CompressionThresholdBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Builds options from configuration. Defaults depend on whether systemd started the process:
    /// a service uses /run and /var/lib, a developer's run uses ./var.
    /// </summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the key.</exception>
    public static ServerOptions FromConfiguration(IConfiguration configuration)
    {
        bool underSystemd = Environment.GetEnvironmentVariable("INVOCATION_ID") is not null;
        string defaultSocket = underSystemd ? ServiceSocketPath : DevelopmentSocketPath;
        string defaultData = underSystemd
            ? Environment.GetEnvironmentVariable("STATE_DIRECTORY") ?? ServiceDataDirectory
            : DevelopmentDataDirectory;

        var options = new ServerOptions
        {
            SocketPath = Path.GetFullPath(configuration["SocketPath"] ?? defaultSocket),
            DataDirectory = Path.GetFullPath(configuration["DataDirectory"] ?? defaultData),
            SocketMode = ReadMode(configuration, "SocketMode", "660"),
            MaxFrameBytes = (uint)ReadInt(configuration, "MaxFrameBytes", (int)FrameReader.DefaultMaxBodyBytes, 1024, int.MaxValue),
            ShutdownTimeout = TimeSpan.FromSeconds(ReadInt(configuration, "ShutdownTimeoutSeconds", 10, 0, 3600)),
            MaxConnections = ReadInt(configuration, "MaxConnections", 256, 1, 65536),
            InstancesPerPlugin = ReadInt(configuration, "InstancesPerPlugin", 4, 1, 1024),
            MaxConcurrentExecutions = ReadInt(configuration, "MaxConcurrentExecutions", Environment.ProcessorCount, 1, 1024),
            MaxInputBytes = ReadInt(configuration, "MaxInputBytes", 1024 * 1024, 0, int.MaxValue),
            DefaultTimeoutMs = ReadInt(configuration, "DefaultTimeoutMs", 5_000, 1, 600_000),
            DefaultMemoryMb = ReadInt(configuration, "DefaultMemoryMb", 64, 1, 4096),
            CheckpointInterval = TimeSpan.FromSeconds(ReadInt(configuration, "CheckpointIntervalSeconds", 30, 1, 86400)),

            // Metrics.
            MetricsTextfilePath = ReadPath(configuration, "MetricsTextfilePath"),
            MetricsTextfileInterval = TimeSpan.FromSeconds(ReadInt(configuration, "MetricsTextfileIntervalSeconds", 15, 1, 3600)),
            MemoryCeilingBytes = ReadLong(configuration, "MemoryCeilingBytes", MemoryPlan.DefaultCeilingBytes, MemoryPlan.MinimumCeilingBytes, long.MaxValue),
            CpuBudgetPercent = ReadInt(configuration, "CpuBudgetPercent", 27, 1, 100 * 1024),
            MaxQueuedPerAgent = ReadInt(configuration, "MaxQueuedPerAgent", 16, 1, 65536),
            MaxQueuedExecutions = ReadInt(configuration, "MaxQueuedExecutions", 256, 1, 1 << 20),
            QueueTimeout = TimeSpan.FromMilliseconds(ReadInt(configuration, "QueueTimeoutMs", 5_000, 1, 600_000)),
            AdmissionControl = ReadBool(configuration, "AdmissionControl", true),

            // Trace log.
            TraceSegmentBytes = ReadPowerOfTwo(configuration, "TraceSegmentBytes", 64L << 20, 256L << 10, 1L << 30),
            TraceMaxBytes = ReadLong(configuration, "TraceMaxBytes", 0, 0, long.MaxValue),
            TraceMaxAge = TimeSpan.FromSeconds(ReadLong(configuration, "TraceMaxAgeSeconds", 0, 0, 100L * 365 * 86400)),

            // State store durability.
            StateCommitPolicy = ReadCommitPolicy(configuration, "StateCommitPolicy"),
            StateCommitInterval = TimeSpan.FromMilliseconds(ReadInt(configuration, "StateCommitIntervalMs", 50, 1, 60_000)),

            // Access control.
            AdminGroup = ReadGroupName(configuration, "AdminGroup", DefaultAdminGroup),
            SocketGroup = ReadGroupName(configuration, "SocketGroup", DefaultSocketGroup),

            // Plugin unloading and the result cache.
            PluginIdleUnloadAfter = TimeSpan.FromSeconds(ReadInt(configuration, "PluginIdleUnloadSeconds", DefaultPluginIdleUnloadSeconds, 0, 7 * 86400)),
            ResultCacheBytes = ReadLong(configuration, "ResultCacheBytes", DefaultResultCacheBytes, 0, MaxResultCacheBytes),

            // Plugin trust.
            TrustedKeysDirectory = ReadPath(configuration, "TrustedKeysDirectory"),
            AllowUnsignedPlugins = ReadBool(configuration, "AllowUnsignedPlugins", false),

            // Socket protocol.
            FrameReadTimeout = TimeSpan.FromSeconds(ReadInt(configuration, "FrameReadTimeoutSeconds", 30, 1, 3600)),
            IdleConnectionTimeout = TimeSpan.FromSeconds(ReadInt(configuration, "IdleConnectionTimeoutSeconds", 3600, 0, 30 * 86400)),
            Compression = ReadCompression(configuration, "Compression"),
            CompressionThresholdBytes = ReadInt(configuration, "CompressionThresholdBytes", 64 * 1024, 0, int.MaxValue),
        };

        // An exec request carries the input plus the agent id, method and plugin name. The default
        // input limit shrinks to fit a smaller frame; a configured one that does not fit is an error.
        if ((long)options.MaxInputBytes + RequestOverheadBytes > options.MaxFrameBytes)
        {
            if (configuration["MaxInputBytes"] is null)
            {
                options = options with { MaxInputBytes = (int)Math.Max(0, (long)options.MaxFrameBytes - RequestOverheadBytes) };
                return options with { PayloadLimits = PayloadLimits.FromConfiguration(configuration, options.MaxFrameBytes, options.MaxInputBytes) };
            }

            throw new ArgumentException(
                $"configuration value MaxInputBytes={options.MaxInputBytes} does not fit in MaxFrameBytes={options.MaxFrameBytes}; keep MaxInputBytes at least {RequestOverheadBytes} bytes below MaxFrameBytes");
        }

        return options with { PayloadLimits = PayloadLimits.FromConfiguration(configuration, options.MaxFrameBytes, options.MaxInputBytes) };
    }

    private static readonly HashSet<string> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "SocketPath", "DataDirectory", "SocketMode", "MaxFrameBytes", "ShutdownTimeoutSeconds", "MaxConnections",
        "InstancesPerPlugin", "MaxConcurrentExecutions", "MaxInputBytes", "DefaultTimeoutMs", "DefaultMemoryMb", "CheckpointIntervalSeconds",
        "MemoryCeilingBytes", "CpuBudgetPercent", "MaxQueuedPerAgent", "MaxQueuedExecutions", "QueueTimeoutMs", "AdmissionControl",
        "TraceSegmentBytes", "TraceMaxBytes", "TraceMaxAgeSeconds",
        "StateCommitPolicy", "StateCommitIntervalMs",
        "Logging",

        // Metrics.
        "MetricsTextfilePath", "MetricsTextfileIntervalSeconds",

        // Access control.
        "AdminGroup", "SocketGroup",
        // Plugin unloading and the result cache.
        "PluginIdleUnloadSeconds", "ResultCacheBytes",
        // Plugin trust.
        "TrustedKeysDirectory", "AllowUnsignedPlugins",
        // Socket protocol.
        PayloadLimits.SectionName, "FrameReadTimeoutSeconds", "IdleConnectionTimeoutSeconds", "Compression", "CompressionThresholdBytes",
    };

    /// <summary>Returns top-level configuration keys that no setting reads, so typos can be reported.</summary>
    public static IEnumerable<string> FindUnknownKeys(IConfiguration configuration) =>
        configuration.GetChildren().Select(section => section.Key).Where(key => !KnownKeys.Contains(key));

    private static int ReadInt(IConfiguration configuration, string key, int defaultValue, int min, int max)
    {
        string? text = configuration[key];
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new ArgumentException($"configuration value {key}='{text}' is invalid; use an integer from {min} to {max}");
        }

        return value;
    }

    private static long ReadLong(IConfiguration configuration, string key, long defaultValue, long min, long max)
    {
        string? text = configuration[key];
        if (text is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new ArgumentException($"configuration value {key}='{text}' is invalid; use an integer from {min} to {max}");
        }

        return value;
    }

    private static bool ReadBool(IConfiguration configuration, string key, bool defaultValue)
    {
        string? text = configuration[key];
        if (text is null)
        {
            return defaultValue;
        }

        return bool.TryParse(text, out bool value)
            ? value
            : throw new ArgumentException($"configuration value {key}='{text}' is invalid; use true or false");
    }

    private static string? ReadPath(IConfiguration configuration, string key)
    {
        string? text = configuration[key];
        return string.IsNullOrWhiteSpace(text) ? null : Path.GetFullPath(text);
    }

    private static long ReadPowerOfTwo(IConfiguration configuration, string key, long defaultValue, long min, long max)
    {
        long value = ReadLong(configuration, key, defaultValue, min, max);
        if (!long.IsPow2(value))
        {
            throw new ArgumentException($"configuration value {key}='{value}' is invalid; use a power of two from {min} to {max}, such as {defaultValue}");
        }

        return value;
    }

    private static StateCommitPolicy ReadCommitPolicy(IConfiguration configuration, string key)
    {
        string? text = configuration[key];
        return text?.ToLowerInvariant() switch
        {
            null or "sync" => StateCommitPolicy.Sync,
            "interval" => StateCommitPolicy.Interval,
            "checkpoint" => StateCommitPolicy.Checkpoint,
            _ => throw new ArgumentException($"configuration value {key}='{text}' is invalid; use sync, interval or checkpoint"),
        };
    }

    // Group names in /etc/group cannot contain ':' or a line break, and an empty name matches no group.
    private static string ReadGroupName(IConfiguration configuration, string key, string defaultValue)
    {
        string text = configuration[key] ?? defaultValue;
        if (text.Length is 0 or > 256 || text.IndexOfAny([':', '\n', '\r']) >= 0)
        {
            throw new ArgumentException($"configuration value {key}='{text}' is invalid; use a group name from /etc/group such as {defaultValue}");
        }

        return text;
    }

    private static CompressionCodec ReadCompression(IConfiguration configuration, string key)
    {
        string? text = configuration[key];
        if (text is null)
        {
            return CompressionCodec.Lz4;
        }

        return CompressionCodecNames.TryParse(text, out CompressionCodec codec)
            ? codec
            : throw new ArgumentException($"configuration value {key}='{text}' is invalid; use {string.Join(" or ", CompressionCodecNames.Supported)}, or none to turn compression off");
    }

    private static UnixFileMode ReadMode(IConfiguration configuration, string key, string defaultValue)
    {
        string text = configuration[key] ?? defaultValue;
        try
        {
            int mode = Convert.ToInt32(text, 8);
            if (mode is < 0 or > 0x1FF)
            {
                throw new FormatException();
            }

            return (UnixFileMode)mode;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new ArgumentException($"configuration value {key}='{text}' is invalid; use octal permission bits such as 660", ex);
        }
    }
}
