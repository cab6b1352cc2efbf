using McpZero.Server.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace McpZero.Server;

public static partial class DaemonHost
{
    /// <summary>Registers the stats request's sources, the <c>McpZero</c> Meter and, when configured, the textfile writer.</summary>
    private static void AddMetrics(IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<ProcessCpu>();
        services.AddSingleton<IExecutionQueueDepth, RuntimeQueueDepth>();
        services.AddSingleton(static provider =>
        {
            var cpu = provider.GetRequiredService<ProcessCpu>();
            var runtime = provider.GetRequiredService<AgentRuntimeService>();
            var state = provider.GetRequiredService<ServerState>();
            var queueDepth = provider.GetRequiredService<IExecutionQueueDepth>();
            McpZeroMeter.CreateObservables(runtime, state, cpu, queueDepth);
            return new StatsCollector(runtime, state, cpu, queueDepth);
        });

        if (options.MetricsTextfilePath is not null)
        {
            services.AddHostedService<TextfileWriter>();
        }
    }
}
