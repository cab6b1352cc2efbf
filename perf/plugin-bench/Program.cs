using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using McpZero.Client;
using McpZero.Plugins;
using McpZero.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;

// Plugin host benchmarks. In process through PluginEngine: the per-call cost of a no-op export and
// of count_vowels on a 13-byte and a 1 KiB input, and RSS over load/unload cycles. Through the
// daemon: cold install-to-first-call and warm restart-to-first-call. Prints one JSON object.
// Usage: plugin-bench VOWELS.wasm MCPZERO_BINARY [CALLS] [CYCLES]

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: plugin-bench VOWELS.wasm MCPZERO_BINARY [CALLS=1000000] [CYCLES=100000]");
    return 2;
}

string wasmPath = args[0];
string binary = args[1];
int calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
int cycles = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100_000;
byte[] wasm = File.ReadAllBytes(wasmPath);
string sha256 = Convert.ToHexStringLower(SHA256.HashData(wasm));
string work = Directory.CreateTempSubdirectory("mcpzero-plugin-bench-").FullName;

try
{
    var results = new List<string>();
    using (var engine = new PluginEngine(new PluginEngineOptions { CacheDirectory = Path.Combine(work, "cache") }, NullLogger<PluginEngine>.Instance))
    {
        using PluginModule module = engine.Load(sha256, wasm);
        byte[] small = Encoding.ASCII.GetBytes("Hello, World!");
        byte[] kibibyte = new byte[1024];
        for (int i = 0; i < kibibyte.Length; i++)
        {
            kibibyte[i] = (byte)"The quick brown fox jumps over the lazy dog. "[i % 45];
        }

        results.Add(Figure("noop_us_per_call", MeasureCalls(engine, module, "noop", [], calls)));
        results.Add(Figure("count_vowels_13b_us_per_call", MeasureCalls(engine, module, "count_vowels", small, calls)));
        results.Add(Figure("count_vowels_1kib_us_per_call", MeasureCalls(engine, module, "count_vowels", kibibyte, calls / 4)));
        results.Add(Figure("load_unload", MeasureLoadUnload(engine, sha256, wasm, cycles)));
    }

    results.Add(Figure("daemon", await MeasureDaemonAsync(binary, wasm, work)));
    Console.WriteLine("{\n  " + string.Join(",\n  ", results) + "\n}");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

// Runs a tenth of the calls to warm up, then five rounds, and reports the median and the fastest
// round in microseconds per call. Every call checks its output length so none is optimised away.
static string MeasureCalls(PluginEngine engine, PluginModule module, string method, byte[] input, int count)
{
    var call = new PluginCall
    {
        AgentId = "bench",
        Method = method,
        Input = input,
        Config = new Dictionary<string, string>(),
        Variables = new PluginVariables(),
    };
    int expectedLength = method == "noop" ? 0 : 8;
    RunCalls(engine, module, call, count / 10, expectedLength);

    var rounds = new double[5];
    for (int round = 0; round < rounds.Length; round++)
    {
        long started = Stopwatch.GetTimestamp();
        RunCalls(engine, module, call, count, expectedLength);
        rounds[round] = Stopwatch.GetElapsedTime(started).TotalMicroseconds / count;
    }

    Array.Sort(rounds);
    return string.Create(CultureInfo.InvariantCulture, $"{{ \"median\": {rounds[2]:0.000}, \"min\": {rounds[0]:0.000}, \"calls_per_round\": {count} }}");
}

static void RunCalls(PluginEngine engine, PluginModule module, PluginCall call, int count, int expectedLength)
{
    for (int i = 0; i < count; i++)
    {
        if (engine.Call(module, call).Output.Length != expectedLength)
        {
            throw new InvalidOperationException($"{call.Method} returned an output of the wrong length");
        }
    }
}

// Loads the module (from the compiled-module cache after the first cycle), calls it once and
// unloads it, sampling VmRSS every tenth of the cycles.
static string MeasureLoadUnload(PluginEngine engine, string sha256, byte[] wasm, int count)
{
    var call = new PluginCall
    {
        AgentId = "cycle",
        Method = "noop",
        Input = Array.Empty<byte>(),
        Config = new Dictionary<string, string>(),
        Variables = new PluginVariables(),
    };

    var samples = new List<string> { ReadRssKib().ToString(CultureInfo.InvariantCulture) };
    int step = Math.Max(count / 10, 1);
    long started = Stopwatch.GetTimestamp();
    for (int i = 1; i <= count; i++)
    {
        PluginModule module = engine.Load(sha256, wasm);
        engine.Call(module, call);
        if (!engine.TryUnload(module))
        {
            throw new InvalidOperationException("the module was still in use after its only call returned");
        }

        if (i % step == 0)
        {
            samples.Add(ReadRssKib().ToString(CultureInfo.InvariantCulture));
        }
    }

    double microsPerCycle = Stopwatch.GetElapsedTime(started).TotalMicroseconds / count;
    return string.Create(CultureInfo.InvariantCulture,
        $"{{ \"cycles\": {count}, \"us_per_cycle\": {microsPerCycle:0.0}, \"loaded_modules_after\": {engine.LoadedModules}, \"rss_kib_every_tenth\": [{string.Join(", ", samples)}] }}");
}

static async Task<string> MeasureDaemonAsync(string binary, byte[] wasm, string work)
{
    string data = Path.Combine(work, "data");
    string socket = Path.Combine(work, "d.sock");

    // Cold: a fresh data directory, so the install compiles the module.
    Process daemon = StartDaemon(binary, data, socket);
    await using (McpZeroClient client = await ConnectWhenReadyAsync(socket))
    {
        long started = Stopwatch.GetTimestamp();
        await client.RequestAsync<PluginInfo>(new PluginInstallRequest { Name = "vowels", Wasm = wasm });
        AgentInfo agent = await client.RequestAsync<AgentInfo>(new AgentSpawnRequest { Owner = "bench", Plugins = ["vowels"] });
        await client.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agent.AgentId, Method = "count_vowels", Input = "Hello, World!"u8.ToArray() });
        double coldMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await StopDaemonAsync(daemon);

        // Warm: the same data directory, so the first call loads the module from the compiled-module
        // cache. Five restarts; each reports the time until the daemon accepts a connection and
        // until the reply to the first call.
        var ready = new double[5];
        var firstCall = new double[5];
        StatusResponse? status = null;
        for (int round = 0; round < ready.Length; round++)
        {
            long restarted = Stopwatch.GetTimestamp();
            daemon = StartDaemon(binary, data, socket);
            await using McpZeroClient second = await ConnectWhenReadyAsync(socket);
            ready[round] = Stopwatch.GetElapsedTime(restarted).TotalMilliseconds;
            await second.RequestAsync<ExecResponse>(new AgentExecRequest { AgentId = agent.AgentId, Method = "count_vowels", Input = "Hello, World!"u8.ToArray() });
            firstCall[round] = Stopwatch.GetElapsedTime(restarted).TotalMilliseconds;
            status = await second.RequestAsync<StatusResponse>(new StatusRequest());
            await StopDaemonAsync(daemon);
        }

        Array.Sort(ready);
        Array.Sort(firstCall);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{ \"cold_install_to_first_call_ms\": {coldMs:0.0}, \"warm_restart_to_ready_ms_median\": {ready[2]:0.0}, \"warm_restart_to_first_call_ms_median\": {firstCall[2]:0.0}, \"warm_restart_to_first_call_ms_min\": {firstCall[0]:0.0}, \"warm_modules_compiled\": {status!.ModulesCompiled}, \"warm_modules_loaded_from_cache\": {status.ModulesLoadedFromCache} }}");
    }
}

static Process StartDaemon(string binary, string data, string socket)
{
    var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
    // The benchmark installs a bare module, which only a daemon in development mode accepts.
    foreach (string argument in new[] { "serve", "--data", data, "--socket", socket, "--allow-unsigned-plugins" })
    {
        start.ArgumentList.Add(argument);
    }

    Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
    process.OutputDataReceived += static (_, _) => { };
    process.ErrorDataReceived += static (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

// Retries the connection every millisecond for up to 30 s, so the figure includes start-up.
static async Task<McpZeroClient> ConnectWhenReadyAsync(string socket)
{
    long deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
    while (true)
    {
        try
        {
            return await McpZeroClient.ConnectAsync(socket, "plugin-bench");
        }
        catch (McpZeroConnectionException) when (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1);
        }
    }
}

static async Task StopDaemonAsync(Process daemon)
{
    Process.Start("kill", ["-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await daemon.WaitForExitAsync(timeout.Token);
}

static long ReadRssKib()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        }
    }

    return -1;
}

// Also prints the figure to standard error at once, so a later failure does not lose it.
static string Figure(string name, string value)
{
    string figure = $"\"{name}\": {value}";
    Console.Error.WriteLine(figure);
    return figure;
}
