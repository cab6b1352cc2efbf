using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Server.Metrics;

namespace McpZero.UnitTests.Metrics;

public sealed class DaemonMetricsTests
{
    [Fact]
    public void RequestsAreNamedAndCountedByType()
    {
        var metrics = new DaemonMetrics();
        metrics.RequestCompleted(new AgentExecRequest(), 40);
        metrics.RequestCompleted(new AgentExecRequest(), 60);
        metrics.RequestCompleted(new StatusRequest(), 100);

        RequestStats[] requests = metrics.SnapshotRequests();

        Assert.Equal(["Status", "AgentExec"], requests.Select(request => request.Name));
        Assert.Equal(2, requests[1].Latency.Count);
        Assert.Equal(100, requests[1].Latency.SumMicros);
        Assert.Equal(60, requests[1].Latency.MaxMicros);
    }

    [Fact]
    public void ExecutionsAreKeptPerPluginAndMethod()
    {
        var metrics = new DaemonMetrics();
        metrics.Executed("hello", "greet", ErrorCode.Ok, 10);
        metrics.Executed("hello", "greet", ErrorCode.PluginTrap, 20);
        metrics.Executed("data_processing", "process", ErrorCode.Ok, 30);

        PluginMethodStats[] methods = metrics.SnapshotPluginMethods();

        Assert.Equal(["data_processing.process", "hello.greet"], methods.Select(method => $"{method.Plugin}.{method.Method}"));
        Assert.Equal(2, methods[1].Duration.Count);
        Assert.Equal(1, methods[1].Failures);
        Assert.Equal(0, methods[0].Failures);
    }

    [Fact]
    public void ErrorsAreCountedByCode()
    {
        var metrics = new DaemonMetrics();
        metrics.ErrorSent(ErrorCode.PluginTrap);
        metrics.ErrorSent(ErrorCode.Busy);
        metrics.ErrorSent(ErrorCode.PluginTrap);

        ErrorStats[] errors = metrics.SnapshotErrors();

        Assert.Equal([ErrorCode.PluginTrap, ErrorCode.Busy], errors.Select(error => error.Code));
        Assert.Equal(2, errors[0].Count);
        Assert.Equal(1, errors[1].Count);
    }

    [Fact]
    public void DenialsAreCountedByType()
    {
        var metrics = new DaemonMetrics();
        metrics.PermissionDenied(new PluginInstallRequest());
        metrics.PermissionDenied(new AgentExecRequest());
        metrics.PermissionDenied(new AgentExecRequest());

        DenialStats[] denials = metrics.SnapshotDenials();

        Assert.Equal(["PluginInstall", "AgentExec"], denials.Select(denial => denial.Name));
        Assert.Equal([MessageTypes.PluginInstall, MessageTypes.AgentExec], denials.Select(denial => denial.MessageType));
        Assert.Equal(1, denials[0].Count);
        Assert.Equal(2, denials[1].Count);
    }
}
