using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

internal static class PoolCommands
{
    /// <summary>Default of <c>pool lease --wait-ms</c>, in milliseconds.</summary>
    private const int DefaultLeaseWaitMs = 5_000;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing pool command: create, list, show, lease, return or remove");
        }

        CommandSpec spec = args[0] switch
        {
            "create" => CommandSpec.Client("pool create", 1, "size", "max", "owner", "memory-mb", "timeout-ms", "fuel", "config", "plugin"),
            "list" => CommandSpec.Client("pool list", 0),
            "show" => CommandSpec.Client("pool show", 1),
            "lease" => new CommandSpec("pool lease", 1, ["wait-ms", "exec", "input", "plugin", "socket"], ["keep-state", "json"]),
            "return" => new CommandSpec("pool return", 2, ["socket"], ["keep-state", "json"]),
            "remove" => new CommandSpec("pool remove", 1, ["socket"], ["force", "json"]),
            _ => throw new UsageException($"unknown pool command '{args[0]}'; use create, list, show, lease, return or remove"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        bool json = line.Flag("json");
        return args[0] switch
        {
            "create" => await CreateAsync(line, json).ConfigureAwait(false),
            "list" => await ListAsync(line, json).ConfigureAwait(false),
            "show" => await ShowAsync(line, json).ConfigureAwait(false),
            "lease" => await LeaseAsync(line, json).ConfigureAwait(false),
            "return" => await ReturnAsync(line, json).ConfigureAwait(false),
            _ => await RemoveAsync(line, json).ConfigureAwait(false),
        };
    }

    private static async Task<int> CreateAsync(CommandLine line, bool json)
    {
        string name = line.Argument(0, "pool name");
        long size = line.LongOption("size", 0, Agents.AgentRuntime.MaxPoolAgents)
            ?? throw new UsageException("missing --size N, the number of ready agents the pool keeps");
        var request = new PoolCreateRequest
        {
            Name = name,
            Owner = line.Option("owner") ?? Environment.UserName,
            Constraints = new AgentConstraints
            {
                MemoryMb = (int)(line.LongOption("memory-mb", 1, 4096) ?? 0),
                TimeoutMs = (int)(line.LongOption("timeout-ms", 1, 600_000) ?? 0),
                Fuel = line.LongOption("fuel", 1, long.MaxValue) ?? 0,
            },
            Config = AgentCommands.ParseConfig(line.Options("config")),
            Plugins = [.. line.Options("plugin")],
            Size = (int)size,
            Max = (int)(line.LongOption("max", 1, Agents.AgentRuntime.MaxPoolAgents) ?? 0),
        };
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);

        PoolInfo pool = await ClientCommand.RequestAsync<PoolInfo>(client, request).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(pool, CliJsonContext.Relaxed.PoolInfo);
        }
        else
        {
            Output.Out.WriteLine($"created pool {pool.Name} with {pool.ReadyAgents.Length} ready agent{(pool.ReadyAgents.Length == 1 ? "" : "s")}");
        }

        return Cli.ExitOk;
    }

    private static async Task<int> ListAsync(CommandLine line, bool json)
    {
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        PoolListResponse list = await ClientCommand.RequestAsync<PoolListResponse>(client, new PoolListRequest()).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(list, CliJsonContext.Relaxed.PoolListResponse);
            return Cli.ExitOk;
        }

        var table = new TextTable("POOL", "OWNER", "SIZE", "MAX", "READY", "LEASED", "PLUGINS");
        foreach (PoolInfo pool in list.Pools)
        {
            table.Add(
                pool.Name,
                pool.Owner,
                pool.Size.ToString(),
                MaxText(pool.Max),
                pool.ReadyAgents.Length.ToString(),
                pool.LeasedAgents.Length.ToString(),
                string.Join(",", pool.Plugins));
        }

        table.Write(Output.Out);
        return Cli.ExitOk;
    }

    private static async Task<int> ShowAsync(CommandLine line, bool json)
    {
        string name = line.Argument(0, "pool name");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        PoolInfo pool = await ClientCommand.RequestAsync<PoolInfo>(client, new PoolShowRequest { Name = name }).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(pool, CliJsonContext.Relaxed.PoolInfo);
            return Cli.ExitOk;
        }

        var table = new TextTable("FIELD", "VALUE");
        table.Add("pool", pool.Name);
        table.Add("owner", pool.Owner);
        table.Add("created", TimeFormat.FromUnixMicros(pool.CreatedUnixMicros));
        table.Add("size", pool.Size.ToString());
        table.Add("max", MaxText(pool.Max));
        table.Add(
            "constraints",
            $"memory_mb={AgentCommands.Default(pool.Constraints.MemoryMb)} timeout_ms={AgentCommands.Default(pool.Constraints.TimeoutMs)} fuel={AgentCommands.Default(pool.Constraints.Fuel)}");
        table.Add("config", string.Join(", ", pool.Config.Select(pair => $"{pair.Key}={pair.Value}")));
        table.Add("plugins", string.Join(", ", pool.Plugins));
        table.Add("ready", string.Join(", ", pool.ReadyAgents));
        table.Add("leased", string.Join(", ", pool.LeasedAgents));
        table.Write(Output.Out);
        return Cli.ExitOk;
    }

    /// <summary>
    /// <c>pool lease NAME</c> prints a leased agent's id. The lease belongs to this command's
    /// connection, so the daemon returns the agent as soon as the command exits. With
    /// <c>--exec METHOD</c> the command leases, runs the method, and returns the agent.
    /// </summary>
    private static async Task<int> LeaseAsync(CommandLine line, bool json)
    {
        string name = line.Argument(0, "pool name");
        int waitMs = (int)(line.LongOption("wait-ms", 0, Agents.AgentRuntime.MaxLeaseWaitMs) ?? DefaultLeaseWaitMs);
        string? method = line.Option("exec");
        if (method is null && (line.Option("input") is not null || line.Option("plugin") is not null || line.Flag("keep-state")))
        {
            throw new UsageException("--input, --plugin and --keep-state need --exec METHOD");
        }

        byte[] input = method is null ? [] : await AgentCommands.ReadInputAsync(line.Option("input")).ConfigureAwait(false);
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        var pool = new AgentPool(client, name) { LeaseWait = TimeSpan.FromMilliseconds(waitMs) };

        using var timeout = new CancellationTokenSource(ClientCommand.RequestTimeout);
        try
        {
            PooledAgent agent = await pool.GetAsync(timeout.Token).ConfigureAwait(false);
            if (method is null)
            {
                WriteLease(name, agent.AgentId, json);
                return Cli.ExitOk;
            }

            ExecResponse result;
            try
            {
                result = await agent.ExecuteAsync(method, input, line.Option("plugin"), timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                await agent.ReturnAsync(line.Flag("keep-state"), timeout.Token).ConfigureAwait(false);
            }

            await WriteExecResultAsync(result, json).ConfigureAwait(false);
            return Cli.ExitOk;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the daemon did not respond within {ClientCommand.RequestTimeout.TotalMinutes} minutes");
        }
    }

    private static void WriteLease(string pool, string agentId, bool json)
    {
        if (json)
        {
            JsonOutput.Write(new PoolLeaseResponse { Pool = pool, AgentId = agentId }, CliJsonContext.Relaxed.PoolLeaseResponse);
        }
        else
        {
            Output.Out.WriteLine(agentId);
        }
    }

    private static async Task WriteExecResultAsync(ExecResponse result, bool json)
    {
        if (json)
        {
            JsonOutput.Write(result, CliJsonContext.Relaxed.ExecResponse);
            return;
        }

        await Output.WriteBytesAsync(result.Output).ConfigureAwait(false);
        if (!Console.IsOutputRedirected && (result.Output.Length == 0 || result.Output[^1] != (byte)'\n'))
        {
            await Output.WriteBytesAsync("\n"u8.ToArray()).ConfigureAwait(false);
        }
    }

    private static async Task<int> ReturnAsync(CommandLine line, bool json)
    {
        string name = line.Argument(0, "pool name");
        string agentId = line.Argument(1, "agent id");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        OkResponse ok = await ClientCommand.RequestAsync<OkResponse>(
            client,
            new PoolReturnRequest { Name = name, AgentId = agentId, KeepState = line.Flag("keep-state") }).ConfigureAwait(false);
        WriteOk(ok, json);
        return Cli.ExitOk;
    }

    private static async Task<int> RemoveAsync(CommandLine line, bool json)
    {
        string name = line.Argument(0, "pool name");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        OkResponse ok = await ClientCommand.RequestAsync<OkResponse>(client, new PoolRemoveRequest { Name = name, Force = line.Flag("force") }).ConfigureAwait(false);
        WriteOk(ok, json);
        return Cli.ExitOk;
    }

    private static void WriteOk(OkResponse ok, bool json)
    {
        if (json)
        {
            JsonOutput.Write(ok, CliJsonContext.Relaxed.OkResponse);
        }
        else
        {
            Output.Out.WriteLine(ok.Message);
        }
    }

    private static string MaxText(int max) => max == 0 ? "none" : max.ToString();
}
