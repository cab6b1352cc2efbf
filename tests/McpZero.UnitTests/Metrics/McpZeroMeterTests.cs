using System.Diagnostics.Metrics;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server.Metrics;

namespace McpZero.UnitTests.Metrics;

public sealed class McpZeroMeterTests
{
    [Fact]
    public void HistogramsReachMeterListener()
    {
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == McpZeroMeter.Name)
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value)));
            }
        });
        listener.Start();

        var metrics = new DaemonMetrics();
        // Other tests record through the same static Meter in parallel, so this one uses values of its own.
        metrics.RequestCompleted(new AgentExecRequest(), 1_234_567);
        metrics.Executed("meter-test-plugin", "greet", ErrorCode.Ok, 250);

        lock (measurements)
        {
            Assert.Contains(measurements, entry =>
                entry.Instrument == "mcpzero.request.duration" && Equals(entry.Tags["type"], "AgentExec") && entry.Value == 1.234567);
            var execution = measurements.Single(entry =>
                entry.Instrument == "mcpzero.plugin.execution.duration" && Equals(entry.Tags["plugin"], "meter-test-plugin"));
            Assert.Equal("greet", execution.Tags["method"]);
            Assert.Equal(0.00025, execution.Value, precision: 12);
        }
    }
}
