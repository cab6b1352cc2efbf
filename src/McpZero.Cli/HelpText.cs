namespace McpZero.Cli;

/// <summary>Usage text: the main help and one section per command group.</summary>
internal static class HelpText
{
    private const string Header = """
        mcpzero: an edge appliance that runs WebAssembly plugins as long-lived agents.

        Usage: mcpzero COMMAND [ARGS] [OPTIONS]

        Options follow the command, for example `mcpzero agent list --json`. Put `--` before an
        argument that starts with "--". `--help` or `-h` after any command prints its help.

        """;

    private const string DaemonSection = """
        Daemon:
          serve [--socket PATH] [--data DIR] [--config FILE] [--max-frame-bytes N]
                [--instances-per-plugin N] [--trusted-keys DIR] [--allow-unsigned-plugins]
                                          run the daemon in the foreground (see `mcpzero serve --help`)
          status                          daemon version, uptime, counts, memory and module cache
          stats [--json|--prometheus] [--watch [SECONDS]]
                                          monitoring metrics (see `mcpzero stats --help`)

        """;

    private const string PluginSection = """
        Plugins:
          plugin install BUNDLE|BUNDLE.tar|FILE.wasm|manifest.json [--name NAME] [--replace]
                                          a bundle folder holds manifest.json, plugin.wasm,
                                          signature.bin and an optional README.md; the daemon
                                          rejects unsigned plugins unless it runs with
                                          --allow-unsigned-plugins. --replace installs a different
                                          module under a name and version that active agents use
          plugin list                     every installed version, with its signer
          plugin show NAME[@VERSION]      NAME alone shows the newest installed version
          plugin remove NAME[@VERSION]    NAME@VERSION is rejected while an agent pins it, or
                                          while agents use NAME and it is the last version;
                                          NAME removes every version and is rejected while any
                                          active agent uses one
          plugin keygen --out DIR [--name NAME] [--json]
                                          writes an ECDSA P-256 key pair: DIR/NAME.key (mode 0600)
                                          and DIR/NAME.pub (default NAME mcpzero-signing)
          plugin sign BUNDLE --key FILE.key
                                          writes BUNDLE/signature.bin; the manifest needs "name"
                                          and "version"
          plugin verify BUNDLE|BUNDLE.tar [--trusted-keys DIR]
                                          checks the signature against the *.pub keys in DIR
                                          (default ./var/trusted-keys); exit status 1 if it fails
          Agents take NAME (follows the newest installed version) or NAME@VERSION (pinned).

        """;

    private const string AgentSection = """
        Agents:
          agent spawn [--owner NAME] [--memory-mb N] [--timeout-ms N] [--fuel N]
                      [--config KEY=VALUE]... [--plugin NAME]...    prints the new agent id
                      (--memory-mb in MiB, --timeout-ms in milliseconds per call, --fuel in
                      fuel units per call, about one per WebAssembly instruction; unset values
                      use the daemon's defaults)
          agent list
          agent show AGENT
          agent attach AGENT PLUGIN
          agent exec AGENT METHOD [INPUT|@FILE|-] [--plugin NAME]   writes the output bytes to stdout
                      (INPUT is the text itself, @FILE a file's bytes, - or nothing reads stdin
                      when it is not a terminal)
          agent snapshot AGENT            prints the snapshot id
          agent recover SNAPSHOT          restores the snapshot's agent to that state
          agent snapshot-delete SNAPSHOT  deletes one snapshot; the agent and its other snapshots stay
          agent terminate AGENT

        """;

    private const string PoolSection = """
        Agent pools (ready agents spawned from one template, leased and returned):
          pool create NAME --size N [--max N] [--owner NAME] [--memory-mb N] [--timeout-ms N]
                      [--fuel N] [--config KEY=VALUE]... [--plugin NAME]...
                      --size sets the ready agents kept (0 to 1024), --max the most agents of the
                      pool at once, leased and ready (default: no maximum); the other options are
                      the agent template, as in `agent spawn`
          pool list
          pool show NAME                  template, ready agents and leased agents
          pool lease NAME [--wait-ms N] [--exec METHOD [--input INPUT|@FILE|-] [--plugin NAME]
                      [--keep-state]]
                      without --exec, prints a leased agent id; the lease belongs to this
                      command's connection, so the agent returns to the pool when the command
                      exits. With --exec: lease, run METHOD, return, and write the output to
                      stdout. --wait-ms is how long to wait for an agent when the pool is at its
                      max, in milliseconds (default 5000)
          pool return NAME AGENT [--keep-state]
                      returns a leased agent, reset to the template unless --keep-state
          pool remove NAME [--force]      deletes the pool's agents; rejected while agents are
                                          leased unless --force

        """;

    private const string TraceSection = """
        Trace log:
          trace list [--agent AGENT] [--since 15m|2026-12-04T10:00:00Z] [--until TIME] [--limit N]
                                          the newest N records (default 100) that started between
                                          --since and --until, both inclusive
          trace verify [--from SEQUENCE]  checks the hash chain and the Merkle root of each sealed
                                          batch; exit status 1 when broken

        """;

    private const string DbSection = """
        Collections (agents, resources, traces, snapshots; documents are JSON objects):
          db find COLLECTION [--where COND]... [--fields F1,F2] [--limit N]
                      COND is FIELD=VALUE, FIELD=A,B or 'FIELD in A,B' (any of), FIELD>=N or
                      FIELD<N (integers); a list field matches when it contains the value.
                      --limit defaults to 100 (1 to 10000); the last line says whether an index
                      was used
          db get COLLECTION ID [--fields F1,F2]     trace ids are sequence numbers
          db insert COLLECTION JSON|--file PATH     resources and traces only; prints the new id
          db insert-many COLLECTION JSON-ARRAY|--file PATH
                      inserts every object of the array in one batch with one durable commit
          db update COLLECTION ID JSON|--file PATH  resources: any field but resource_id;
                      agents: metadata, or status "terminated"; traces and snapshots: rejected
          db delete COLLECTION ID                   resources inserted through db only
          db create-index COLLECTION FIELD          agents and resources; kept across restarts
          db indexes

        Resources registry:
          resource find --capability NAME [--type TYPE] [--owner NAME] [--limit N]
          resource list [--limit N]                 --limit defaults to 1000

        """;

    private const string BenchSection = """
        Benchmark:
          bench [--agents N] [--iterations N] [--payload-bytes N] [--plugin NAME] [--method NAME]
                per agent: spawn, attach PLUGIN (default data_processing), run METHOD (default
                process) N times (default 100), terminate; --agents defaults to 1, --payload-bytes
                adds that many bytes of padding to each input (default 0)

        """;

    private const string ClientOptions = """
        Options for every client command:
          --socket PATH   daemon socket (default: $MCPZERO__SOCKETPATH, else ./var/mcpzero.sock
                          when ./var holds a development data directory, else
                          /run/mcpzero/mcpzero.sock)
          --json          print the response as JSON
          --help, -h      print help for the command

        Exit status: 0 ok, 1 the daemon returned an error, 2 usage error, 3 cannot connect.

        """;

    public const string Main = Header + DaemonSection + PluginSection + AgentSection + PoolSection + TraceSection + DbSection + BenchSection + ClientOptions;

    public const string Plugin = "Usage: mcpzero plugin COMMAND [ARGS] [OPTIONS]\n\n" + PluginSection + ClientOptions;

    public const string Agent = "Usage: mcpzero agent COMMAND [ARGS] [OPTIONS]\n\n" + AgentSection + ClientOptions;

    public const string Pool = "Usage: mcpzero pool COMMAND [ARGS] [OPTIONS]\n\n" + PoolSection + ClientOptions;

    public const string Trace = "Usage: mcpzero trace COMMAND [OPTIONS]\n\n" + TraceSection + ClientOptions;

    public const string Db = "Usage: mcpzero db COMMAND [ARGS] [OPTIONS]\n\n" + DbSection + ClientOptions;

    public const string Bench = "Usage: mcpzero bench [OPTIONS]\n\n" + BenchSection + ClientOptions;

    public const string Stats = """
        Usage: mcpzero stats [--json|--prometheus] [--watch [SECONDS]] [--socket PATH]

        Prints the daemon's monitoring metrics: CPU use in percent of one core, memory (resident
        set, GC heap, WebAssembly linear memory, state store), store and trace log I/O, running
        and queued executions, compiled-module cache and instance pool hits, request latency per
        message type and plugin execution time per plugin and method (count, p50, p99, p99.9 and
        max), and error responses by code. Counters count from the daemon's start.

          --json           print the snapshot as JSON
          --prometheus     print the Prometheus text exposition format 0.0.4, in seconds and bytes
          --watch [SECONDS]
                           print again every SECONDS (default 2, from 0.1 to 3600) until Ctrl-C;
                           a table on a terminal is redrawn in place
          --socket PATH    daemon socket, as for every client command

        """;

    public const string Serve = """
        Usage: mcpzero serve [--socket PATH] [--data DIR] [--config FILE] [--max-frame-bytes N]
                             [--instances-per-plugin N] [--trusted-keys DIR]
                             [--allow-unsigned-plugins]

        Runs the daemon in the foreground until SIGTERM or SIGINT.

          --socket PATH            sets SocketPath
          --data DIR               sets DataDirectory
          --config FILE            JSON configuration file whose top-level keys are the keys below
                                   (default /etc/mcpzero/mcpzero.json when it exists)
          --max-frame-bytes N      sets MaxFrameBytes
          --instances-per-plugin N sets InstancesPerPlugin
          --trusted-keys DIR       sets TrustedKeysDirectory
          --allow-unsigned-plugins sets AllowUnsignedPlugins to true, for development

        Configuration keys, with defaults:
          SocketPath                 Unix socket to listen on: ./var/mcpzero.sock, or
                                     /run/mcpzero/mcpzero.sock when started by systemd
          DataDirectory              plugins, agents, snapshots and the trace log: ./var, or
                                     $STATE_DIRECTORY or /var/lib/mcpzero when started by systemd
          SocketMode                 permission bits of the socket file, octal: 660
          MaxFrameBytes              largest request body accepted, in bytes: 4194304 (4 MiB),
                                     minimum 1024; limits module size and exec input over the socket
          ShutdownTimeoutSeconds     seconds SIGTERM waits for requests in flight: 10 (0 to 3600)
          MaxConnections             client connections open at once: 256 (1 to 65536)
          InstancesPerPlugin         warm WebAssembly instances kept per plugin: 4 (1 to 1024)
          MaxConcurrentExecutions    plugin calls running at once: the number of cores (1 to 1024),
                                     lowered to the cores and to the whole cores of a cgroup CPU quota
          MaxInputBytes              largest exec input, in bytes: 1048576 (1 MiB)
          DefaultTimeoutMs           time limit of one call for agents that set none, in
                                     milliseconds: 5000 (1 to 600000)
          DefaultMemoryMb            linear memory limit for agents that set none, in MiB: 64
                                     (1 to 4096)
          CheckpointIntervalSeconds  seconds between checkpoints of the agent store: 30 (1 to 86400)
          MetricsTextfilePath        file rewritten with the metrics in the Prometheus text format,
                                     for node_exporter's textfile collector: unset (none written)
          MetricsTextfileIntervalSeconds
                                     seconds between rewrites of that file: 15 (1 to 3600)
          MemoryCeilingBytes         memory of the whole process, in bytes: 827000000; WebAssembly
                                     memory gets what the GC heap limit and a 128 MiB reserve leave
          CpuBudgetPercent           sustained CPU of plugin calls, in percent of one core: 27,
                                     lowered to a cgroup CPU quota
          MaxQueuedPerAgent          calls that may wait per agent before Busy: 16 (1 to 65536)
          MaxQueuedExecutions        calls that may wait over all agents before Busy: 256
          QueueTimeoutMs             time a call may wait to start, in milliseconds: 5000
          AdmissionControl           false turns the queues and the CPU budget off: true
          TraceSegmentBytes          size of one trace log segment file, in bytes: 67108864
                                     (64 MiB), a power of two from 262144 to 1073741824
          TraceMaxBytes              trace log size in bytes above which the oldest records are
                                     removed: 0 (keep everything)
          TraceMaxAgeSeconds         age in seconds after which trace records are removed:
                                     0 (keep everything)
          StateCommitPolicy          when an acknowledged change reaches disk: sync (before the reply,
                                     concurrent writers share one fsync), interval (every
                                     StateCommitIntervalMs, a crash loses the last interval) or
                                     checkpoint (at the next checkpoint): sync
          StateCommitIntervalMs      milliseconds between journal commits of the interval policy: 50
                                     (1 to 60000)
          AdminGroup                 group whose members may use every agent and send admin
                                     requests, besides root and the daemon's uid: mcpzero-admin
          SocketGroup                group given to the socket file: mcpzero; a missing group is
                                     logged and the socket keeps the daemon's group
          PluginIdleUnloadSeconds    seconds a plugin may go unused before its compiled module and
                                     warm instances are unloaded: 300 (0 never unloads, up to 604800)
          ResultCacheBytes           bytes of cached results of exports a manifest marks cacheable:
                                     16777216 (16 MiB), 0 turns the cache off, at most 134217728
          TrustedKeysDirectory       folder of trusted plugin signing keys (*.pub), read at each
                                     install: trusted-keys under DataDirectory
          AllowUnsignedPlugins       true installs plugins without signature.bin; signatures that
                                     are present are still checked: false
          PayloadLimits:NAME         maximum body in bytes of one request type, such as
                                     PayloadLimits:AgentExec; defaults to MaxFrameBytes for
                                     PluginInstall, DbInsert and Batch, 1 MiB for DbUpdate,
                                     MaxInputBytes + 512 for AgentExec and 64 KiB for the others
          FrameReadTimeoutSeconds    seconds a started frame may take to arrive completely before
                                     the connection is closed: 30
          IdleConnectionTimeoutSeconds
                                     seconds a connection with no request in flight stays open:
                                     3600 (0 never closes it)
          Compression                codec offered to clients at hello: lz4, or none
          CompressionThresholdBytes  body size in bytes above which both sides compress: 65536

        Every key can also be set as an environment variable MCPZERO__KEY, for example
        MCPZERO__MAXFRAMEBYTES=8388608. Flags win over environment variables, which win over the file.

        """;

    /// <summary>Returns true when <c>--help</c> or <c>-h</c> appears before any <c>--</c>.</summary>
    public static bool IsRequested(IEnumerable<string> args)
    {
        foreach (string arg in args)
        {
            if (arg == "--")
            {
                return false;
            }

            if (arg is "--help" or "-h")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns true when <paramref name="command"/> has a help text of its own.</summary>
    public static bool HasOwnHelp(string command) => command is "serve" or "plugin" or "agent" or "trace" or "db" or "resource" or "bench" or "pool" or "stats";

    /// <summary>Returns the help of <paramref name="command"/>, or the main help when it has none of its own.</summary>
    public static string For(string? command) => command switch
    {
        "serve" => Serve,
        "plugin" => Plugin,
        "agent" => Agent,
        "trace" => Trace,
        "db" or "resource" => Db,
        "bench" => Bench,
        "pool" => Pool,
        "stats" => Stats,
        _ => Main,
    };
}
