using Microsoft.Extensions.Logging;

namespace McpZero.Server;

internal static partial class Log
{
    [LoggerMessage(90, LogLevel.Information, "Writing metrics for the textfile collector to {Path} every {IntervalSeconds} s", EventName = "TextfileEnabled")]
    public static partial void TextfileEnabled(ILogger logger, string path, double intervalSeconds);

    [LoggerMessage(91, LogLevel.Warning, "Writing the metrics textfile {Path} failed: {Reason}; retrying at every interval, and logging again only after a success", EventName = "TextfileWriteFailed")]
    public static partial void TextfileWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(92, LogLevel.Information, "Writing the metrics textfile {Path} works again", EventName = "TextfileRecovered")]
    public static partial void TextfileRecovered(ILogger logger, string path);
}
