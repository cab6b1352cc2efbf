using System.Globalization;

namespace McpZero.Cli;

internal static class TimeFormat
{
    public static string FromUnixMicros(long micros) =>
        DateTimeOffset.FromUnixTimeMilliseconds(micros / 1000).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>
    /// Formats a duration in its two largest units: 45s, 1m12s, 3h02m or 2d04h.
    /// </summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        CultureInfo invariant = CultureInfo.InvariantCulture;
        if (span.TotalMinutes < 1)
        {
            return string.Create(invariant, $"{span.Seconds}s");
        }

        if (span.TotalHours < 1)
        {
            return string.Create(invariant, $"{span.Minutes}m{span.Seconds:00}s");
        }

        if (span.TotalDays < 1)
        {
            return string.Create(invariant, $"{span.Hours}h{span.Minutes:00}m");
        }

        return string.Create(invariant, $"{(int)span.TotalDays}d{span.Hours:00}h");
    }

    /// <summary>
    /// Parses --since: an ISO 8601 time, or a duration back from now such as 30s, 15m, 2h or 7d.
    /// </summary>
    public static long ParseSince(string text, string option = "since")
    {
        if (text.Length > 1 && char.IsAsciiLetter(text[^1]) && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            TimeSpan span = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => throw new UsageException($"--{option} '{text}' has an unknown unit; use s, m, h or d"),
            };
            return (DateTimeOffset.UtcNow - span).ToUnixTimeMilliseconds() * 1000;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            return time.ToUnixTimeMilliseconds() * 1000;
        }

        throw new UsageException($"--{option} '{text}' is neither a time such as 2026-12-04T10:00:00Z nor a duration such as 15m");
    }
}
