using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

internal static class StatusCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        CommandLine line = CommandLine.Parse(args, CommandSpec.Client("status", 0));
        bool json = line.Flag("json");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);

        StatusResponse status = await ClientCommand.RequestAsync<StatusResponse>(client, new StatusRequest()).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(status, CliJsonContext.Relaxed.StatusResponse);
            return Cli.ExitOk;
        }

        var table = new TextTable("FIELD", "VALUE");
        table.Add("version", $"{status.ServerVersion} (wasmtime {status.WasmtimeVersion})");
        table.Add("pid", status.ProcessId.ToString());
        table.Add("uptime", TimeFormat.Duration(TimeSpan.FromMilliseconds(status.UptimeMilliseconds)));
        table.Add("socket", status.SocketPath);
        table.Add("data", status.DataDirectory);
        table.Add("agents", status.Agents.ToString());
        table.Add("plugins", status.Plugins.ToString());
        table.Add("executions", status.Executions.ToString());
        table.Add("trace records", status.TraceRecords.ToString());
        table.Add("memory (rss)", $"{TimeFormat.Bytes(status.ResidentBytes)} now, {TimeFormat.Bytes(status.PeakResidentBytes)} peak");
        table.Add("gc heap", $"{TimeFormat.Bytes(status.GcHeapBytes)} of {TimeFormat.Bytes(status.GcHeapHardLimitBytes)} limit");
        table.Add("modules", $"{status.ModulesCompiled} compiled, {status.ModulesLoadedFromCache} loaded from cache");
        table.Add("connections", status.Connections.ToString());
        table.Add("memory ceiling", $"{TimeFormat.Bytes(status.MemoryCeilingBytes)}; wasm budget {TimeFormat.Bytes(status.WasmMemoryBudgetBytes)}, {TimeFormat.Bytes(status.WasmMemoryReservedBytes)} reserved");
        table.Add("cpu budget", status.CpuBudgetPercent > 0 ? $"{status.CpuBudgetPercent:0.#}% of one core, {status.QueuedExecutions} queued" : "off");
        table.Add("caller", $"uid {status.CallerUid}, {(status.CallerIsAdmin ? "admin" : "not an admin")}");
        table.Add("plugin modules", $"{status.LoadedModules} loaded, {status.ModulesUnloaded} unloaded");
        table.Add("result cache", status.ResultCacheCapacityBytes > 0
            ? $"{status.ResultCacheHits} hits, {status.ResultCacheMisses} misses, {status.ResultCacheEntries} entries ({TimeFormat.Bytes(status.ResultCacheBytes)} of {TimeFormat.Bytes(status.ResultCacheCapacityBytes)})"
            : "off");
        string trust = status.AllowUnsignedPlugins ? "unsigned allowed (development)" : "signatures required";
        table.Add("plugin trust", $"{trust}; keys in {status.TrustedKeysDirectory}");
        table.Write(Output.Out);
        return Cli.ExitOk;
    }
}
