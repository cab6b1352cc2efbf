using System.Globalization;
using System.Text;
using McpZero.Client;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

internal static class AgentCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing agent command: spawn, list, show, attach, exec, snapshot, recover or terminate");
        }

        CommandSpec spec = args[0] switch
        {
            "spawn" => CommandSpec.Client("agent spawn", 0, "owner", "memory-mb", "timeout-ms", "fuel", "config", "plugin"),
            "list" => CommandSpec.Client("agent list", 0),
            "show" => CommandSpec.Client("agent show", 1),
            "attach" => CommandSpec.Client("agent attach", 2),
            "exec" => CommandSpec.Client("agent exec", 3, "plugin"),
            "snapshot" => CommandSpec.Client("agent snapshot", 1),
            "recover" => CommandSpec.Client("agent recover", 1),
            "snapshot-delete" => CommandSpec.Client("agent snapshot-delete", 1),
            "terminate" => CommandSpec.Client("agent terminate", 1),
            _ => throw new UsageException($"unknown agent command '{args[0]}'; use spawn, list, show, attach, exec, snapshot, recover, snapshot-delete or terminate"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        bool json = line.Flag("json");
        return args[0] switch
        {
            "spawn" => await SpawnAsync(line, json).ConfigureAwait(false),
            "list" => await ListAsync(line, json).ConfigureAwait(false),
            "show" => await ShowAsync(line, json).ConfigureAwait(false),
            "attach" => await AttachAsync(line, json).ConfigureAwait(false),
            "exec" => await ExecAsync(line, json).ConfigureAwait(false),
            "snapshot" => await SnapshotAsync(line, json).ConfigureAwait(false),
            "recover" => await RecoverAsync(line, json).ConfigureAwait(false),
            "snapshot-delete" => await DeleteSnapshotAsync(line, json).ConfigureAwait(false),
            _ => await TerminateAsync(line, json).ConfigureAwait(false),
        };
    }

    private static async Task<int> SpawnAsync(CommandLine line, bool json)
    {
        var request = new AgentSpawnRequest
        {
            Owner = line.Option("owner") ?? Environment.UserName,
            Constraints = new AgentConstraints
            {
                MemoryMb = (int)(line.LongOption("memory-mb", 1, 4096) ?? 0),
                TimeoutMs = (int)(line.LongOption("timeout-ms", 1, 600_000) ?? 0),
                Fuel = line.LongOption("fuel", 1, long.MaxValue) ?? 0,
            },
            Config = ParseConfig(line.Options("config")),
            Plugins = [.. line.Options("plugin")],
        };
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);

        AgentInfo agent = await ClientCommand.RequestAsync<AgentInfo>(client, request).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(agent, CliJsonContext.Relaxed.AgentInfo);
        }
        else
        {
            Output.Out.WriteLine(agent.AgentId);
        }

        return Cli.ExitOk;
    }

    private static async Task<int> ListAsync(CommandLine line, bool json)
    {
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        AgentListResponse list = await ClientCommand.RequestAsync<AgentListResponse>(client, new AgentListRequest()).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(list, CliJsonContext.Relaxed.AgentListResponse);
            return Cli.ExitOk;
        }

        var table = new TextTable("AGENT", "OWNER", "STATUS", "EXECUTIONS", "CREATED", "PLUGINS");
        foreach (AgentInfo agent in list.Agents)
        {
            table.Add(agent.AgentId, agent.Owner, agent.Status, agent.Executions.ToString(), TimeFormat.FromUnixMicros(agent.CreatedUnixMicros), string.Join(",", agent.Plugins));
        }

        table.Write(Output.Out);
        return Cli.ExitOk;
    }

    private static async Task<int> ShowAsync(CommandLine line, bool json)
    {
        string agentId = line.Argument(0, "agent id");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        AgentInfo agent = await ClientCommand.RequestAsync<AgentInfo>(client, new AgentShowRequest { AgentId = agentId }).ConfigureAwait(false);
        WriteAgent(agent, json);
        return Cli.ExitOk;
    }

    private static async Task<int> AttachAsync(CommandLine line, bool json)
    {
        string agentId = line.Argument(0, "agent id");
        string plugin = line.Argument(1, "plugin name");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        AgentInfo agent = await ClientCommand.RequestAsync<AgentInfo>(client, new AgentAttachRequest { AgentId = agentId, Plugin = plugin }).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(agent, CliJsonContext.Relaxed.AgentInfo);
        }
        else
        {
            Output.Out.WriteLine($"attached {plugin} to {agentId}; plugins: {string.Join(", ", agent.Plugins)}");
        }

        return Cli.ExitOk;
    }

    /// <summary>
    /// <c>agent exec AGENT METHOD [INPUT]</c>: INPUT is the text itself, <c>@FILE</c> for a file's
    /// bytes, or <c>-</c> (or nothing, when stdin is not a terminal) for stdin.
    /// </summary>
    private static async Task<int> ExecAsync(CommandLine line, bool json)
    {
        string agentId = line.Argument(0, "agent id");
        string method = line.Argument(1, "method name");
        string? inputArgument = line.Positional.Count > 2 ? line.Positional[2] : null;
        string? plugin = line.Option("plugin");
        byte[] input = await ReadInputAsync(inputArgument).ConfigureAwait(false);

        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        ExecResponse result = await ClientCommand.RequestAsync<ExecResponse>(
            client,
            new AgentExecRequest { AgentId = agentId, Method = method, Input = input, Plugin = plugin }).ConfigureAwait(false);

        if (json)
        {
            JsonOutput.Write(result, CliJsonContext.Relaxed.ExecResponse);
            return Cli.ExitOk;
        }

        await Output.WriteBytesAsync(result.Output).ConfigureAwait(false);

        // A terminal prompt would otherwise continue on the output's last line.
        if (!Console.IsOutputRedirected && (result.Output.Length == 0 || result.Output[^1] != (byte)'\n'))
        {
            await Output.WriteBytesAsync("\n"u8.ToArray()).ConfigureAwait(false);
        }

        return Cli.ExitOk;
    }

    private static async Task<int> SnapshotAsync(CommandLine line, bool json)
    {
        string agentId = line.Argument(0, "agent id");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        SnapshotResponse snapshot = await ClientCommand.RequestAsync<SnapshotResponse>(client, new AgentSnapshotRequest { AgentId = agentId }).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(snapshot, CliJsonContext.Relaxed.SnapshotResponse);
        }
        else
        {
            Output.Out.WriteLine(snapshot.SnapshotId);
        }

        return Cli.ExitOk;
    }

    private static async Task<int> RecoverAsync(CommandLine line, bool json)
    {
        string snapshotId = line.Argument(0, "snapshot id");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        AgentInfo agent = await ClientCommand.RequestAsync<AgentInfo>(client, new AgentRecoverRequest { SnapshotId = snapshotId }).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(agent, CliJsonContext.Relaxed.AgentInfo);
        }
        else
        {
            Output.Out.WriteLine($"recovered {agent.AgentId} from {snapshotId} ({agent.Variables.Length} variables)");
        }

        return Cli.ExitOk;
    }

    private static async Task<int> DeleteSnapshotAsync(CommandLine line, bool json)
    {
        string snapshotId = line.Argument(0, "snapshot id");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        OkResponse ok = await ClientCommand.RequestAsync<OkResponse>(client, new AgentSnapshotDeleteRequest { SnapshotId = snapshotId }).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(ok, CliJsonContext.Relaxed.OkResponse);
        }
        else
        {
            Output.Out.WriteLine(ok.Message);
        }

        return Cli.ExitOk;
    }

    private static async Task<int> TerminateAsync(CommandLine line, bool json)
    {
        string agentId = line.Argument(0, "agent id");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        OkResponse ok = await ClientCommand.RequestAsync<OkResponse>(client, new AgentTerminateRequest { AgentId = agentId }).ConfigureAwait(false);
        if (json)
        {
            JsonOutput.Write(ok, CliJsonContext.Relaxed.OkResponse);
        }
        else
        {
            Output.Out.WriteLine(ok.Message);
        }

        return Cli.ExitOk;
    }

    internal static async Task<byte[]> ReadInputAsync(string? argument)
    {
        if (argument is null && Console.IsInputRedirected || argument == "-")
        {
            using Stream stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer).ConfigureAwait(false);
            return buffer.ToArray();
        }

        if (argument is null)
        {
            return [];
        }

        if (argument.StartsWith('@'))
        {
            return await InputFile.ReadAllBytesAsync(argument[1..], "input file").ConfigureAwait(false);
        }

        return Encoding.UTF8.GetBytes(argument);
    }

    internal static Dictionary<string, string> ParseConfig(IReadOnlyList<string> pairs)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                throw new UsageException($"--config '{pair}' must have the form KEY=VALUE");
            }

            config[pair[..equals]] = pair[(equals + 1)..];
        }

        return config;
    }

    private static void WriteAgent(AgentInfo agent, bool json)
    {
        if (json)
        {
            JsonOutput.Write(agent, CliJsonContext.Relaxed.AgentInfo);
            return;
        }

        var table = new TextTable("FIELD", "VALUE");
        table.Add("agent", agent.AgentId);
        table.Add("owner", agent.Owner);
        table.Add("status", agent.Status);
        table.Add("created", TimeFormat.FromUnixMicros(agent.CreatedUnixMicros));
        table.Add("constraints", $"memory_mb={Default(agent.Constraints.MemoryMb)} timeout_ms={Default(agent.Constraints.TimeoutMs)} fuel={Default(agent.Constraints.Fuel)}");
        table.Add("config", string.Join(", ", agent.Config.Select(pair => $"{pair.Key}={pair.Value}")));
        table.Add("plugins", string.Join(", ", agent.Plugins));
        table.Add("executions", agent.Executions.ToString());
        table.Add("variables", string.Join(", ", agent.Variables.Select(variable => $"{variable.Name} ({variable.SizeBytes} B)")));
        table.Add("snapshots", string.Join(", ", agent.Snapshots));
        table.Add("owner uid", agent.OwnerUid < 0 ? "none (stored before owner uids; admins only)" : agent.OwnerUid.ToString(CultureInfo.InvariantCulture));
        table.Write(Output.Out);
    }

    internal static string Default(long value) => value == 0 ? "default" : value.ToString();
}
