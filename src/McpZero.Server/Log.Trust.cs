using Microsoft.Extensions.Logging;

namespace McpZero.Server;

internal static partial class Log
{
    [LoggerMessage(204, LogLevel.Information, "Plugin installs need a signature by a key in {TrustedKeysDirectory}", EventName = "PluginSignaturesRequired")]
    public static partial void PluginSignaturesRequired(ILogger logger, string trustedKeysDirectory);

    [LoggerMessage(205, LogLevel.Warning, "Unsigned plugins are allowed (development mode); signatures that are present are still checked against {TrustedKeysDirectory}", EventName = "UnsignedPluginsAllowed")]
    public static partial void UnsignedPluginsAllowed(ILogger logger, string trustedKeysDirectory);
}
