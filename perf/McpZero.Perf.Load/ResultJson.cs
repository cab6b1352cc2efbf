using System.Text.Json;

namespace McpZero.Perf.Load;

/// <summary>Writes measured figures as JSON for <c>report</c>. Latencies are in microseconds.</summary>
internal static class ResultJson
{
    /// <summary>Fractions written as the percentile spectrum that the plots draw.</summary>
    public static readonly double[] SpectrumFractions =
        [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99995, 0.99999, 1];

    public static void WriteLoad(LoadResult result, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        LoadSettings settings = result.Settings;
        json.WriteStartObject();
        json.WriteString("label", settings.Label);
        json.WriteString("profile", settings.Profile);
        json.WriteString("plugin", settings.Plugin);
        json.WriteString("method", settings.Method);
        json.WriteString("input", settings.Input);
        json.WriteString("mode", settings.Mode);
        if (settings.IsOpenLoop)
        {
            json.WriteNumber("rate", settings.Rate);
        }
        else
        {
            json.WriteNumber("concurrency", settings.Concurrency);
        }

        json.WriteNumber("agents", settings.EffectiveAgents);
        json.WriteNumber("connections", settings.Connections);
        json.WriteNumber("warmup_s", settings.WarmupSeconds);
        json.WriteNumber("duration_s", settings.DurationSeconds);
        json.WriteNumber("sent", result.Sent);
        json.WriteNumber("completed", result.Completed);
        json.WriteStartObject("errors");
        foreach ((string code, long count) in result.Errors)
        {
            json.WriteNumber(code, count);
        }

        json.WriteEndObject();
        json.WriteNumber("wall_s", Math.Round(result.WallSeconds, 3));
        json.WriteNumber("throughput_per_s", Math.Round(result.Throughput, 1));
        if (settings.IsOpenLoop)
        {
            long errors = result.Errors.Values.Sum();
            bool reached = result.Completed + errors >= 0.99 * result.Sent && result.Throughput >= 0.95 * settings.Rate;
            json.WriteBoolean("rate_reached", reached);
        }

        WriteLatency(json, "latency", result.Latency);
        if (result.SendLag is { } lag)
        {
            WriteLatency(json, "send_lag", lag);
        }

        if (result.DaemonCpuShare is double share)
        {
            json.WriteNumber("daemon_cpu_share_of_one_core", Math.Round(share, 4));
        }

        if (result.DaemonPeakRssBytes is long peak)
        {
            json.WriteNumber("daemon_peak_rss_mb", Math.Round(peak / 1e6, 1));
        }

        json.WriteStartArray("rss_mb");
        foreach (RssSample sample in result.RssSamples)
        {
            json.WriteStartArray();
            json.WriteNumberValue(Math.Round(sample.Seconds, 2));
            json.WriteNumberValue(Math.Round(sample.Bytes / 1e6, 2));
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencyHistogram histogram)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", histogram.Count);
        json.WriteNumber("mean_us", Microseconds(histogram.MeanNanoseconds));
        json.WriteNumber("p50_us", Microseconds(histogram.PercentileNanoseconds(0.5)));
        json.WriteNumber("p99_us", Microseconds(histogram.PercentileNanoseconds(0.99)));
        json.WriteNumber("p999_us", Microseconds(histogram.PercentileNanoseconds(0.999)));
        json.WriteNumber("max_us", Microseconds(histogram.MaxNanoseconds));
        json.WriteStartArray("spectrum");
        foreach (double fraction in SpectrumFractions)
        {
            json.WriteStartArray();
            json.WriteNumberValue(fraction);
            json.WriteNumberValue(Microseconds(histogram.PercentileNanoseconds(fraction)));
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static double Microseconds(double nanoseconds) => Math.Round(nanoseconds / 1000, 2);
}
