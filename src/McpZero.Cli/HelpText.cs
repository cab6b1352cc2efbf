namespace McpZero.Cli;

internal static class HelpText
{
    public const string Main = """
        mcpzero: an edge appliance that runs WebAssembly plugins as long-lived agents.

        Usage: mcpzero COMMAND [ARGS] [--socket PATH] [--json]

        Daemon:
          serve [--socket PATH] [--data DIR] [--config FILE] [--max-frame-bytes N]
                                          run the daemon in the foreground (see `mcpzero serve --help`)
          status                          daemon version, counts, memory and module cache

        Plugins:
          plugin install FILE.wasm|manifest.json [--name NAME]
          plugin list
          plugin show NAME
          plugin remove NAME              refused while an active agent has it attached

        Agents:
          agent spawn [--owner NAME] [--memory-mb N] [--timeout-ms N] [--fuel N]
                      [--config KEY=VALUE]... [--plugin NAME]...    prints the new agent id
          agent list
          agent show AGENT
          agent attach AGENT PLUGIN
          agent exec AGENT METHOD [INPUT|@FILE|-] [--plugin NAME]   writes the output bytes to stdout
          agent snapshot AGENT            prints the snapshot id
          agent recover SNAPSHOT          restores the snapshot's agent to that state
          agent terminate AGENT

        Trace log:
          trace list [--agent AGENT] [--since 15m|2026-12-04T10:00:00Z] [--limit N]
          trace verify [--from SEQUENCE]  checks the hash chain; exit status 1 when broken

        Benchmark:
          bench [--agents N] [--iterations N] [--payload-bytes N] [--plugin NAME] [--method NAME]

        Options for every client command:
          --socket PATH   daemon socket (default: $MCPZERO__SOCKETPATH, else ./var/mcpzero.sock
                          when it exists, else /run/mcpzero/mcpzero.sock)
          --json          print the response as JSON

        Exit status: 0 ok, 1 the daemon returned an error, 2 usage error, 3 cannot connect.

        """;

    public const string Serve = """
        Usage: mcpzero serve [--socket PATH] [--data DIR] [--config FILE] [--max-frame-bytes N]
                             [--instances-per-plugin N]

        Runs the daemon in the foreground until SIGTERM or SIGINT.

          --socket PATH            Unix socket to listen on (default ./var/mcpzero.sock, or
                                   /run/mcpzero/mcpzero.sock when started by systemd)
          --data DIR               data directory (default ./var, or /var/lib/mcpzero under systemd)
          --config FILE            JSON configuration file (default /etc/mcpzero/mcpzero.json if present)
          --max-frame-bytes N      largest request body accepted, in bytes (default 4194304)
          --instances-per-plugin N warm WebAssembly instances kept per plugin (default 4)

        Every configuration key can also be set as an environment variable MCPZERO__KEY, for
        example MCPZERO__SOCKETPATH, MCPZERO__DATADIRECTORY, MCPZERO__MAXFRAMEBYTES,
        MCPZERO__SOCKETMODE (octal, default 660), MCPZERO__MAXINPUTBYTES, MCPZERO__DEFAULTTIMEOUTMS,
        MCPZERO__DEFAULTMEMORYMB, MCPZERO__CHECKPOINTINTERVALSECONDS, MCPZERO__SHUTDOWNTIMEOUTSECONDS.
        Flags win over environment variables, which win over the file.

        """;
}
