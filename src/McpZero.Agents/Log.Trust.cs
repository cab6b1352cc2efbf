using McpZero.Protocol;
using Microsoft.Extensions.Logging;

namespace McpZero.Agents;

internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "Accepted plugin {Plugin} signed by trusted key {KeyId}", EventName = "SignedPluginAccepted")]
    public static partial void SignedPluginAccepted(ILogger logger, string plugin, string keyId);

    [LoggerMessage(201, LogLevel.Warning, "Accepted unsigned plugin {Plugin} because unsigned plugins are allowed", EventName = "UnsignedPluginAccepted")]
    public static partial void UnsignedPluginAccepted(ILogger logger, string plugin);

    [LoggerMessage(202, LogLevel.Warning, "Rejected the install of plugin {Plugin} ({Code}): {Reason}", EventName = "PluginInstallRejected")]
    public static partial void PluginInstallRejected(ILogger logger, string plugin, ErrorCode code, string reason);

    [LoggerMessage(203, LogLevel.Warning, "Skipped trusted key file {Path}: {Reason}", EventName = "TrustedKeySkipped")]
    public static partial void TrustedKeySkipped(ILogger logger, string path, string reason);
}
