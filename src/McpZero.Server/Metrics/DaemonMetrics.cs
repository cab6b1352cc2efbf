using System.Collections.Concurrent;
using McpZero.Agents;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Server.Metrics;

/// <summary>
/// Counters and latency histograms that the daemon records as it serves: request latency per
/// message type, plugin execution time per plugin and export, and error responses per code.
/// </summary>
/// <remarks>
/// Thread-safe. Recording a latency allocates nothing once the histogram of its message type or
/// plugin export exists. The first record of each creates that histogram, about 14 KB.
/// </remarks>
public sealed class DaemonMetrics : IExecutionObserver
{
    // Message types below this index an array, so finding the histogram takes no lookup. Types
    // above it, if any are ever defined, go to a dictionary.
    private const int ArraySlots = 256;

    private readonly RequestSlot?[] _requests = new RequestSlot?[ArraySlots];
    private readonly ConcurrentDictionary<ushort, RequestSlot> _otherRequests = new();
    private readonly ConcurrentDictionary<(string Plugin, string Method), PluginMethodSlot> _pluginMethods = new();
    private readonly ConcurrentDictionary<ErrorCode, Counter> _errors = new();
    private readonly ConcurrentDictionary<ushort, DenialSlot> _denials = new();

    /// <summary>Adds the latency of one request, from the arrival of its frame to the flush of its response.</summary>
    /// <param name="request">The request; its type name without "Request" names the series.</param>
    /// <param name="elapsedMicros">Latency in microseconds.</param>
    public void RequestCompleted(IRequest request, long elapsedMicros)
    {
        ushort type = request.MessageType;
        RequestSlot slot = type < ArraySlots
            ? Volatile.Read(ref _requests[type]) ?? CreateArraySlot(request)
            : _otherRequests.GetOrAdd(type, static (key, value) => new RequestSlot(key, RequestName(value)), request);

        slot.Latency.Record(elapsedMicros);
        if (McpZeroMeter.RequestDuration.Enabled)
        {
            McpZeroMeter.RequestDuration.Record(elapsedMicros / 1_000_000.0, new KeyValuePair<string, object?>("type", slot.Name));
        }
    }

    /// <summary>Counts one error response sent to a client.</summary>
    public void ErrorSent(ErrorCode code)
    {
        _errors.GetOrAdd(code, static _ => new Counter()).Increment();
    }

    /// <inheritdoc/>
    public void Executed(string plugin, string method, ErrorCode status, long durationMicros)
    {
        if (!_pluginMethods.TryGetValue((plugin, method), out PluginMethodSlot? slot))
        {
            slot = _pluginMethods.GetOrAdd((plugin, method), static key => new PluginMethodSlot(key.Plugin, key.Method));
        }

        slot.Duration.Record(durationMicros);
        if (status != ErrorCode.Ok)
        {
            slot.Failures.Increment();
        }

        if (McpZeroMeter.PluginExecutionDuration.Enabled)
        {
            McpZeroMeter.PluginExecutionDuration.Record(
                durationMicros / 1_000_000.0,
                new KeyValuePair<string, object?>("plugin", plugin),
                new KeyValuePair<string, object?>("method", method));
        }
    }

    /// <summary>Returns the request latencies recorded so far, ordered by message type.</summary>
    public RequestStats[] SnapshotRequests()
    {
        var list = new List<RequestStats>();
        foreach (RequestSlot? slot in _requests)
        {
            if (slot is not null)
            {
                list.Add(ToStats(slot));
            }
        }

        list.AddRange(_otherRequests.Values.OrderBy(static slot => slot.MessageType).Select(ToStats));

        return [.. list];
    }

    /// <summary>Returns the plugin execution times recorded so far, ordered by plugin and method.</summary>
    public PluginMethodStats[] SnapshotPluginMethods()
    {
        return [.. _pluginMethods.Values
            .OrderBy(static slot => slot.Plugin, StringComparer.Ordinal)
            .ThenBy(static slot => slot.Method, StringComparer.Ordinal)
            .Select(static slot => new PluginMethodStats
            {
                Plugin = slot.Plugin,
                Method = slot.Method,
                Failures = slot.Failures.Value,
                Duration = Summarize(slot.Duration),
            })];
    }

    /// <summary>Returns the error responses counted so far, ordered by code.</summary>
    public ErrorStats[] SnapshotErrors()
    {
        return [.. _errors
            .OrderBy(static pair => pair.Key)
            .Select(static pair => new ErrorStats { Code = pair.Key, Count = pair.Value.Value })];
    }

    /// <summary>Counts one request rejected with PermissionDenied, under its message type.</summary>
    public void PermissionDenied(IRequest request)
    {
        _denials.GetOrAdd(request.MessageType, static (type, value) => new DenialSlot(type, RequestName(value)), request).Count.Increment();
    }

    /// <summary>Returns the permission denials counted so far, ordered by message type.</summary>
    public DenialStats[] SnapshotDenials()
    {
        return [.. _denials.Values
            .OrderBy(static slot => slot.MessageType)
            .Select(static slot => new DenialStats { MessageType = slot.MessageType, Name = slot.Name, Count = slot.Count.Value })];
    }

    /// <summary>Returns the count, sum and percentiles of <paramref name="histogram"/>.</summary>
    public static LatencySummary Summarize(LogLinearHistogram histogram)
    {
        return new LatencySummary
        {
            Count = histogram.Count,
            SumMicros = histogram.Sum,
            P50Micros = histogram.ValueAtQuantile(0.50),
            P99Micros = histogram.ValueAtQuantile(0.99),
            P999Micros = histogram.ValueAtQuantile(0.999),
            MaxMicros = histogram.Max,
        };
    }

    private RequestSlot CreateArraySlot(IRequest request)
    {
        ushort type = request.MessageType;
        var created = new RequestSlot(type, RequestName(request));
        return Interlocked.CompareExchange(ref _requests[type], created, null) ?? created;
    }

    private static RequestStats ToStats(RequestSlot slot) =>
        new() { MessageType = slot.MessageType, Name = slot.Name, Latency = Summarize(slot.Latency) };

    // Under Native AOT the type's name is still available, so new request types name themselves.
    private static string RequestName(IRequest request)
    {
        string name = request.GetType().Name;
        return name.EndsWith("Request", StringComparison.Ordinal) && name.Length > "Request".Length
            ? name[..^"Request".Length]
            : name;
    }

    private sealed class RequestSlot(ushort messageType, string name)
    {
        public ushort MessageType { get; } = messageType;

        public string Name { get; } = name;

        public LogLinearHistogram Latency { get; } = new();
    }

    private sealed class PluginMethodSlot(string plugin, string method)
    {
        public string Plugin { get; } = plugin;

        public string Method { get; } = method;

        public LogLinearHistogram Duration { get; } = new();

        public Counter Failures { get; } = new();
    }

    private sealed class DenialSlot(ushort messageType, string name)
    {
        public ushort MessageType { get; } = messageType;

        public string Name { get; } = name;

        public Counter Count { get; } = new();
    }

    private sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }
}
