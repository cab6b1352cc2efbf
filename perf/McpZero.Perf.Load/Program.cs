using System.Globalization;
using System.Text.Json;
using McpZero.Perf.Load;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

const string Usage = """
    Usage: McpZero.Perf.Load COMMAND [options]

    load        --socket PATH --label TEXT [--profile NAME] [--plugin NAME] [--method NAME]
                [--input TEXT] [--mode closed|open] [--concurrency N] [--rate PER_SECOND]
                [--warmup-s SECONDS] [--duration-s SECONDS] [--agents N] [--connections N]
                [--daemon-pid PID] [--progress-s SECONDS] --out FILE.json
                Closed loop keeps N requests in flight; open loop sends at a fixed rate and
                measures latency from each request's due time.
    startup     --socket PATH --out FILE.json [--tag KEY=VALUE ...] [--timeout-s SECONDS] -- COMMAND...
                Starts COMMAND (the daemon) and writes the milliseconds until the first status reply.
    fill        --socket PATH --agents N [--executions-per-agent N] [--concurrency N] --out FILE.json
                Spawns agents with hello and data_processing and runs calls to fill the store.
    frame-size  Prints the size in bytes of one exec request frame of the no-op method.
    report      --work DIR --name NAME --results DIR
                Writes DIR/NAME.md, NAME.json and the NAME-*.png plots from the JSON in --work.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

int separator = Array.IndexOf(args, "--");
string[] trailing = separator >= 0 ? args[(separator + 1)..] : [];
Options options;
try
{
    options = Options.Parse(separator >= 0 ? args[1..separator] : args[1..]);
}
catch (FormatException ex)
{
    Console.Error.WriteLine($"perf-load: {ex.Message}");
    return 2;
}

try
{
    switch (args[0])
    {
        case "load":
            return await RunLoadAsync(options);
        case "startup":
            return await RunStartupAsync(options, trailing);
        case "fill":
            return await RunFillAsync(options);
        case "frame-size":
            Console.WriteLine(ExecFrameBytes());
            return 0;
        case "report":
            new Report(options.Required("work"), options.Required("name"), options.Required("results")).Write();
            return 0;
        default:
            Console.Error.WriteLine($"perf-load: unknown command '{args[0]}'");
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (FormatException ex)
{
    Console.Error.WriteLine($"perf-load: {ex.Message}");
    return 2;
}
catch (Exception ex) when (ex is McpZero.Client.McpZeroServerException or McpZero.Client.McpZeroConnectionException or InvalidOperationException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"perf-load: {args[0]} failed: {ex.Message}");
    return 1;
}

static async Task<int> RunLoadAsync(Options options)
{
    var settings = new LoadSettings
    {
        SocketPath = options.Required("socket"),
        Label = options.Required("label"),
        Profile = options.Get("profile") ?? "unpinned",
        Plugin = options.Get("plugin") ?? "hello",
        Method = options.Get("method") ?? "noop",
        Input = options.Get("input") ?? "",
        Mode = options.Get("mode") ?? "closed",
        Concurrency = (int)options.Number("concurrency", 1, 1, 4096),
        Rate = options.Number("rate", 0, 0, 10_000_000),
        WarmupSeconds = options.Number("warmup-s", 2, 0, 3600),
        DurationSeconds = options.Number("duration-s", 10, 0.1, 24 * 3600),
        Agents = (int)options.Number("agents", 0, 0, 10_000),
        Connections = (int)options.Number("connections", 1, 1, 256),
        DaemonPid = options.Get("daemon-pid") is null ? null : (int)options.Number("daemon-pid", 0, 1, int.MaxValue),
        ProgressSeconds = options.Number("progress-s", 0, 0, 3600),
        OutputPath = options.Required("out"),
    };
    if (settings.Mode is not ("closed" or "open"))
    {
        throw new FormatException($"--mode must be closed or open, not '{settings.Mode}'");
    }

    if (settings.IsOpenLoop && settings.Rate <= 0)
    {
        throw new FormatException("--mode open needs --rate, the requests per second");
    }

    LoadResult result = await new LoadRun(settings).RunAsync();
    using (FileStream file = File.Create(settings.OutputPath!))
    {
        ResultJson.WriteLoad(result, file);
    }

    LatencyHistogram latency = result.Latency;
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"perf-load: {settings.Label}: {result.Throughput:N0}/s, p50 {latency.PercentileNanoseconds(0.5) / 1000.0:0.0} us, p99 {latency.PercentileNanoseconds(0.99) / 1000.0:0.0} us, max {latency.MaxNanoseconds / 1000.0:0.0} us, {result.Errors.Values.Sum()} errors"));
    return 0;
}

static async Task<int> RunStartupAsync(Options options, string[] command)
{
    if (command.Length == 0)
    {
        throw new FormatException("startup needs the daemon command after --");
    }

    string socket = options.Required("socket");
    TimeSpan timeout = TimeSpan.FromSeconds(options.Number("timeout-s", 120, 1, 3600));
    (int pid, double readyMs) = await StartupProbe.RunAsync(socket, command, timeout);

    using (FileStream file = File.Create(options.Required("out")))
    using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
    {
        json.WriteStartObject();
        foreach (string tag in options.All("tag"))
        {
            int equals = tag.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException($"--tag '{tag}' must be KEY=VALUE");
            }

            string key = tag[..equals];
            string value = tag[(equals + 1)..];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                json.WriteNumber(key, number);
            }
            else
            {
                json.WriteString(key, value);
            }
        }

        json.WriteNumber("pid", pid);
        json.WriteNumber("ready_ms", Math.Round(readyMs, 1));
        json.WriteEndObject();
    }

    Console.WriteLine(pid);
    return 0;
}

static async Task<int> RunFillAsync(Options options)
{
    string socket = options.Required("socket");
    int agents = (int)options.Number("agents", 100, 1, 1_000_000);
    int perAgent = (int)options.Number("executions-per-agent", 10, 0, 1_000_000);
    int concurrency = (int)options.Number("concurrency", 8, 1, 256);
    (long executions, double seconds) = await StoreFill.RunAsync(socket, agents, perAgent, concurrency);

    using FileStream file = File.Create(options.Required("out"));
    using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
    json.WriteStartObject();
    json.WriteNumber("agents", agents);
    json.WriteNumber("executions", executions);
    json.WriteNumber("seconds", Math.Round(seconds, 2));
    json.WriteEndObject();
    return 0;
}

// The agent id has the daemon's format ("a-" and 10 hex digits), and the input is empty.
static int ExecFrameBytes()
{
    IRequest request = new AgentExecRequest { AgentId = "a-0123456789", Method = "noop", Input = [] };
    return FrameHeader.Size + MemoryPackSerializer.Serialize(request).Length;
}
