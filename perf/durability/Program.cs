// Storage benchmarks of the state store's durability: data directory size under many updates of
// few keys, and open time (checkpoint recovery plus journal replay) with many agents.
// Usage:
//   durabilitybench disk [--updates N] [--keys N] [--value-bytes N] [--checkpoint-every N] [--policy sync|interval|checkpoint]
//   durabilitybench recovery [--agents N] [--crash]
using System.Diagnostics;
using McpZero.Storage;
using Microsoft.Extensions.Logging.Abstractions;

var mode = args.FirstOrDefault() ?? "";
var options = ParseOptions(args.Skip(1).ToArray());
var directory = Path.Combine(Path.GetTempPath(), "mcpzero-durabilitybench-" + Environment.ProcessId);
try
{
    switch (mode)
    {
        case "disk":
            await MeasureDiskAsync(directory, options);
            break;
        case "recovery":
            MeasureRecovery(directory, options);
            break;
        default:
            Console.Error.WriteLine("usage: durabilitybench disk|recovery [options]; see the comment at the top of Program.cs");
            return 2;
    }
}
finally
{
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

return 0;

// Updates `keys` keys round-robin `updates` times, checkpointing every `checkpoint-every` updates as
// the daemon's periodic checkpoint would, and prints the directory size at each checkpoint.
static async Task MeasureDiskAsync(string directory, Dictionary<string, string> options)
{
    long updates = long.Parse(options.GetValueOrDefault("updates", "10000000"));
    int keys = int.Parse(options.GetValueOrDefault("keys", "1000"));
    int valueBytes = int.Parse(options.GetValueOrDefault("value-bytes", "256"));
    long checkpointEvery = long.Parse(options.GetValueOrDefault("checkpoint-every", "500000"));
    var policy = Enum.Parse<StateCommitPolicy>(options.GetValueOrDefault("policy", "interval"), ignoreCase: true);

    var store = StateStore.Open(new StateStoreOptions { Directory = directory, CheckpointInterval = TimeSpan.Zero, CommitPolicy = policy }, NullLogger.Instance);
    var value = new byte[valueBytes];
    var keyNames = Enumerable.Range(0, keys).Select(i => $"vars/a-{i:D10}").ToArray();
    long maxBytes = 0;
    var stopwatch = Stopwatch.StartNew();
    for (long i = 0; i < updates; i++)
    {
        BitConverter.TryWriteBytes(value, i);
        store.Upsert(keyNames[i % keys], value);
        if ((i + 1) % checkpointEvery == 0)
        {
            await store.CheckpointAsync();
            long bytes = DirectoryBytes(directory);
            maxBytes = Math.Max(maxBytes, bytes);
            Console.WriteLine($"{i + 1} updates: directory {bytes:N0} bytes, log {store.ApproximateSizeBytes:N0}, journal {store.JournalSizeBytes:N0}");
        }
    }

    double seconds = stopwatch.Elapsed.TotalSeconds;
    await store.DisposeAsync();
    Console.WriteLine($"policy {policy}: {updates:N0} updates of {keys:N0} keys ({valueBytes} B values) in {seconds:F1} s ({updates / seconds:N0}/s)");
    Console.WriteLine($"max directory size {maxBytes:N0} bytes; after dispose {DirectoryBytes(directory):N0} bytes");
}

// Writes an agent record and a variable set per agent, then measures how long open takes. Without
// --crash the store is disposed first, so open only recovers the final checkpoint. With --crash,
// open reads a copy of the directory taken before dispose, and replays the second half of the
// writes from the journal.
static void MeasureRecovery(string directory, Dictionary<string, string> options)
{
    int agents = int.Parse(options.GetValueOrDefault("agents", "100000"));
    bool crash = options.ContainsKey("crash");
    var storeOptions = new StateStoreOptions { Directory = directory, CheckpointInterval = TimeSpan.Zero, CommitPolicy = StateCommitPolicy.Interval, IndexBuckets = 1 << 16 };
    var agentRecord = new byte[180];
    var variables = new byte[300];
    var crashCopy = directory + "-crash";

    using (var store = StateStore.Open(storeOptions, NullLogger.Instance))
    {
        for (int i = 0; i < agents; i++)
        {
            store.Upsert($"agent/a-{i:D10}", agentRecord);
            store.Upsert($"vars/a-{i:D10}", variables);
            if (crash && i == agents / 2)
            {
                store.CheckpointAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        if (crash)
        {
            store.WaitForCommitAsync().AsTask().GetAwaiter().GetResult();
            Thread.Sleep(200);
            CopyDirectory(directory, crashCopy);
        }
    }

    var stopwatch = Stopwatch.StartNew();
    if (crash)
    {
        using var recovered = StateStore.Open(new StateStoreOptions { Directory = crashCopy, CheckpointInterval = TimeSpan.Zero, CommitPolicy = StateCommitPolicy.Interval, IndexBuckets = 1 << 16 }, NullLogger.Instance);
        Console.WriteLine($"{agents:N0} agents ({2 * agents:N0} keys): open after a crash, half the writes replayed from the journal, {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Directory.Delete(crashCopy, recursive: true);
        return;
    }

    using (var reopened = StateStore.Open(storeOptions, NullLogger.Instance))
    {
        Console.WriteLine($"{agents:N0} agents ({2 * agents:N0} keys): open after a clean stop {stopwatch.Elapsed.TotalMilliseconds:F0} ms, directory {DirectoryBytes(directory):N0} bytes");
    }
}

static Dictionary<string, string> ParseOptions(string[] args)
{
    var options = new Dictionary<string, string>();
    for (int i = 0; i < args.Length; i++)
    {
        var name = args[i].TrimStart('-');
        options[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
    }

    return options;
}

// FASTER deletes truncated segments in the background, so a file can vanish during the walk.
static long DirectoryBytes(string directory)
{
    long total = 0;
    foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
    {
        try
        {
            total += file.Length;
        }
        catch (FileNotFoundException)
        {
        }
    }

    return total;
}

static void CopyDirectory(string source, string destination)
{
    foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
    {
        var target = Path.Combine(destination, Path.GetRelativePath(source, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var output = File.Create(target);
            input.CopyTo(output);
        }
        catch (FileNotFoundException)
        {
            // FASTER deleted an outdated file between the listing and the copy.
        }
    }
}
