using System.Net.Sockets;
using McpZero.Cli;
using McpZero.Client;

return await Cli.RunAsync(args).ConfigureAwait(false);

namespace McpZero.Cli
{
    /// <summary>Entry point of the single binary: the daemon (<c>serve</c>) and every client command.</summary>
    internal static class Cli
    {
        public const int ExitOk = 0;
        public const int ExitServerError = 1;
        public const int ExitUsage = 2;
        public const int ExitCannotConnect = 3;

        public static async Task<int> RunAsync(string[] args)
        {
            if (args.Length == 0)
            {
                Output.Out.Write(HelpText.Main);
                return ExitUsage;
            }

            if (args[0] == "help")
            {
                Output.Out.Write(HelpText.For(args.Length > 1 ? args[1] : null));
                return ExitOk;
            }

            if (HelpText.IsRequested(args))
            {
                Output.Out.Write(HelpText.For(args[0]));
                return ExitOk;
            }

            if (args[0] is "--version" or "version")
            {
                Output.Out.WriteLine($"mcpzero {Server.ServerInfo.Version} (wasmtime {Plugins.PluginEngine.WasmtimeVersion})");
                return ExitOk;
            }

            string command = args[0];
            string[] rest = args[1..];
            try
            {
                return command switch
                {
                    "serve" => await ServeCommand.RunAsync(rest).ConfigureAwait(false),
                    "status" => await StatusCommand.RunAsync(rest).ConfigureAwait(false),
                    "plugin" => await PluginCommands.RunAsync(rest).ConfigureAwait(false),
                    "agent" => await AgentCommands.RunAsync(rest).ConfigureAwait(false),
                    "trace" => await TraceCommands.RunAsync(rest).ConfigureAwait(false),
                    "db" => await DbCommands.RunAsync(rest).ConfigureAwait(false),
                    "resource" => await ResourceCommands.RunAsync(rest).ConfigureAwait(false),
                    "bench" => await BenchCommand.RunAsync(rest).ConfigureAwait(false),
                    "pool" => await PoolCommands.RunAsync(rest).ConfigureAwait(false),
                    "stats" => await StatsCommand.RunAsync(rest).ConfigureAwait(false),
                    _ when command.StartsWith("--", StringComparison.Ordinal) =>
                        throw new UsageException($"option {command} must follow the command, for example `mcpzero status {command} ...`"),
                    _ => throw new UsageException($"unknown command '{command}'; use serve, status, stats, plugin, agent, pool, trace, db, resource or bench"),
                };
            }
            catch (UsageException ex)
            {
                Output.Error.WriteLine($"mcpzero: {ex.Message}");
                string helpCommand = HelpText.HasOwnHelp(command) ? $"mcpzero {command}" : "mcpzero";
                Output.Error.WriteLine($"Run `{helpCommand} --help` for usage.");
                return ExitUsage;
            }
            catch (McpZeroConnectionException ex)
            {
                Output.Error.WriteLine($"mcpzero: {ex.Message}");
                if (ex.InnerException is not SocketException { SocketErrorCode: SocketError.AccessDenied })
                {
                    Output.Error.WriteLine($"Is the daemon running? Start it with `mcpzero serve --socket {ex.SocketPath}` or `make run`, or pass --socket PATH.");
                }

                return ExitCannotConnect;
            }
            catch (McpZeroServerException ex)
            {
                Output.Error.WriteLine($"mcpzero: {ex.Message} ({ex.Code})");
                return ExitServerError;
            }
            catch (TimeoutException ex)
            {
                Output.Error.WriteLine($"mcpzero: {ex.Message}");
                return ExitServerError;
            }
        }
    }
}
