using System.Globalization;
using McpZero.Protocol.Messages;
using Microsoft.Extensions.Configuration;

namespace McpZero.Server;

/// <summary>
/// Maximum body size per request type, in bytes, from the configuration section <c>PayloadLimits</c>
/// (for example <c>PayloadLimits:AgentExec</c>). For a compressed frame the limit applies to the
/// uncompressed body. <see cref="ServerOptions.MaxFrameBytes"/> stays the outer bound of every frame.
/// </summary>
public sealed class PayloadLimits
{
    public const string SectionName = "PayloadLimits";

    /// <summary>Limit of request types with no default of their own: control messages with a few names and numbers.</summary>
    public const uint SmallMessageBytes = 64 * 1024;

    private readonly Dictionary<ushort, uint> _limits;

    private PayloadLimits(Dictionary<ushort, uint> limits, uint maxFrameBytes)
    {
        _limits = limits;
        MaxFrameBytes = maxFrameBytes;
    }

    /// <summary>The outer bound that every limit is clamped to.</summary>
    public uint MaxFrameBytes { get; }

    /// <summary>Returns the body limit of <paramref name="messageType"/> in bytes.</summary>
    public uint For(ushort messageType) =>
        _limits.TryGetValue(messageType, out uint limit) ? limit : Math.Min(SmallMessageBytes, MaxFrameBytes);

    /// <summary>
    /// Builds the defaults: exec requests get the exec input limit plus room for their other fields,
    /// plugin installs, database inserts and batches get the whole frame, database updates 1 MiB,
    /// and every other request 64 KiB, each clamped to <paramref name="maxFrameBytes"/>.
    /// </summary>
    public static PayloadLimits CreateDefault(uint maxFrameBytes, int maxInputBytes)
    {
        var limits = new Dictionary<ushort, uint>
        {
            [MessageTypes.AgentExec] = (uint)Math.Min((long)maxInputBytes + ServerOptions.RequestOverheadBytes, maxFrameBytes),
            [MessageTypes.PluginInstall] = maxFrameBytes,
            [MessageTypes.DbInsert] = maxFrameBytes,
            [MessageTypes.Batch] = maxFrameBytes,
            [MessageTypes.DbUpdate] = Math.Min(1024 * 1024, maxFrameBytes),
        };
        return new PayloadLimits(limits, maxFrameBytes);
    }

    /// <summary>Reads the <c>PayloadLimits</c> section over the defaults.</summary>
    /// <exception cref="ArgumentException">A key names no request type, or a value is not an integer from 16 to MaxFrameBytes.</exception>
    public static PayloadLimits FromConfiguration(IConfiguration configuration, uint maxFrameBytes, int maxInputBytes)
    {
        PayloadLimits result = CreateDefault(maxFrameBytes, maxInputBytes);
        foreach (IConfigurationSection entry in configuration.GetSection(SectionName).GetChildren())
        {
            ushort type = MessageNames.RequestTypes
                .Where(pair => string.Equals(pair.Value, entry.Key, StringComparison.OrdinalIgnoreCase))
                .Select(pair => pair.Key)
                .FirstOrDefault();
            if (type == 0)
            {
                string known = string.Join(", ", MessageNames.RequestTypes.Select(pair => pair.Value).Order(StringComparer.Ordinal));
                throw new ArgumentException($"configuration key {SectionName}:{entry.Key} names no request type; use one of {known}");
            }

            if (!uint.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out uint limit) || limit < 16 || limit > maxFrameBytes)
            {
                throw new ArgumentException(
                    $"configuration value {SectionName}:{entry.Key}='{entry.Value}' is invalid; use an integer from 16 to MaxFrameBytes ({maxFrameBytes})");
            }

            result._limits[type] = limit;
        }

        return result;
    }
}
