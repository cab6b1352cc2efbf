using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpZero.StateBench;

/// <summary>
/// Runs the same agent-state workload on the product's FASTER-based StateStore and on SQLite, and
/// prints one JSON object on stdout. Progress goes to stderr.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: statebench --work DIR [--agents N] [--variables N] [--value-bytes N] [--read-percent N] " +
        "[--ops N] [--warmup N] [--commit-every N] [--seed N] [--sqlite-synchronous NORMAL|FULL]";

    public static async Task<int> Main(string[] args)
    {
        string? workDirectory;
        WorkloadOptions options;
        try
        {
            (workDirectory, options) = ParseArguments(args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine($"statebench: {exception.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var workload = Workload.Create(options);
        var runners = new[]
        {
            new BackendRunner(workload, "faster", Path.Combine(workDirectory, "faster"),
                () => new FasterDocumentBackend(workload, Path.Combine(workDirectory, "faster"))),
            new BackendRunner(workload, "faster_per_key", Path.Combine(workDirectory, "faster-per-key"),
                () => new FasterKeyBackend(workload, Path.Combine(workDirectory, "faster-per-key"))),
            new BackendRunner(workload, "sqlite", Path.Combine(workDirectory, "sqlite"),
                () => new SqliteBackend(workload, Path.Combine(workDirectory, "sqlite"))),
        };

        var results = new List<BackendResult>();
        try
        {
            foreach (BackendRunner runner in runners)
            {
                results.Add(await runner.RunAsync());
            }
        }
        catch (Exception exception)
        {
            // Any failure ends the benchmark: print it whole, because the stack shows which
            // backend and step failed.
            Console.Error.WriteLine($"statebench: the run failed: {exception}");
            return 1;
        }

        WriteJson(Console.OpenStandardOutput(), workload, results);
        return 0;
    }

    private static (string WorkDirectory, WorkloadOptions Options) ParseArguments(string[] args)
    {
        string? workDirectory = null;
        var options = new WorkloadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"option '{name}' needs a value");
            }

            string value = args[++i];
            switch (name)
            {
                case "--work":
                    workDirectory = value;
                    break;
                case "--agents":
                    options = options with { Agents = ParsePositive(name, value) };
                    break;
                case "--variables":
                    options = options with { VariablesPerAgent = ParsePositive(name, value) };
                    break;
                case "--value-bytes":
                    options = options with { ValueBytes = ParsePositive(name, value) };
                    break;
                case "--read-percent":
                    options = options with { ReadPercent = ParseInRange(name, value, 0, 100) };
                    break;
                case "--ops":
                    options = options with { Operations = ParsePositive(name, value) };
                    break;
                case "--warmup":
                    options = options with { WarmupOperations = ParseInRange(name, value, 0, int.MaxValue) };
                    break;
                case "--commit-every":
                    options = options with { CommitEveryWrites = ParsePositive(name, value) };
                    break;
                case "--seed":
                    options = options with { Seed = ParseInRange(name, value, 0, int.MaxValue) };
                    break;
                case "--sqlite-synchronous":
                    options = options with { SqliteSynchronous = ParseSynchronous(name, value) };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{name}'");
            }
        }

        if (workDirectory is null)
        {
            throw new ArgumentException("--work is missing; give an empty directory for the stores");
        }

        if (Directory.Exists(workDirectory) && Directory.EnumerateFileSystemEntries(workDirectory).Any())
        {
            throw new ArgumentException($"work directory '{workDirectory}' is not empty; give an empty or new directory");
        }

        if ((long)options.Agents * options.VariablesPerAgent > 10_000_000)
        {
            throw new ArgumentException($"{options.Agents} agents x {options.VariablesPerAgent} variables is more than 10,000,000 keys; use fewer");
        }

        return (workDirectory, options);
    }

    private static string ParseSynchronous(string name, string value)
    {
        string upper = value.ToUpperInvariant();
        if (upper is not ("NORMAL" or "FULL"))
        {
            throw new ArgumentException($"{name} '{value}' is invalid; use NORMAL or FULL");
        }

        return upper;
    }

    private static int ParsePositive(string name, string value) => ParseInRange(name, value, 1, int.MaxValue);

    private static int ParseInRange(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new ArgumentException($"{name} '{value}' is invalid; use an integer from {min} to {max}");
        }

        return result;
    }

    private static void WriteJson(Stream stream, Workload workload, List<BackendResult> results)
    {
        BackendResult faster = results.Single(result => result.Name == "faster");
        BackendResult fasterPerKey = results.Single(result => result.Name == "faster_per_key");
        BackendResult sqlite = results.Single(result => result.Name == "sqlite");

        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("name", "state-faster-vs-sqlite");
        writer.WriteString("workload", workload.Describe());
        writer.WriteString("runtime", $"{RuntimeInformation.FrameworkDescription} JIT (not Native AOT), {Environment.ProcessorCount} CPUs");
        writer.WriteString("sqlite_version", SqliteBackend.ReadLibraryVersion());
        foreach (BackendResult result in results)
        {
            WriteBackend(writer, result);
        }

        writer.WriteNumber("ratio_faster_over_sqlite", Math.Round(faster.OpsPerSecond / sqlite.OpsPerSecond, 3));
        writer.WriteNumber("ratio_faster_per_key_over_sqlite", Math.Round(fasterPerKey.OpsPerSecond / sqlite.OpsPerSecond, 3));
        writer.WriteEndObject();
        writer.Flush();
        stream.Write("\n"u8);
    }

    private static void WriteBackend(Utf8JsonWriter writer, BackendResult result)
    {
        writer.WriteStartObject(result.Name);
        writer.WriteNumber("ops_per_s", Math.Round(result.OpsPerSecond));
        writer.WriteNumber("ops_per_s_without_commits", Math.Round(result.OpsPerSecondWithoutCommits));
        writer.WriteNumber("p50_us", Math.Round(result.All.P50Us, 3));
        writer.WriteNumber("p99_us", Math.Round(result.All.P99Us, 3));
        writer.WriteNumber("p999_us", Math.Round(result.All.P999Us, 3));
        writer.WriteNumber("read_p50_us", Math.Round(result.Reads.P50Us, 3));
        writer.WriteNumber("read_p99_us", Math.Round(result.Reads.P99Us, 3));
        writer.WriteNumber("upsert_p50_us", Math.Round(result.Upserts.P50Us, 3));
        writer.WriteNumber("upsert_p99_us", Math.Round(result.Upserts.P99Us, 3));
        writer.WriteNumber("commits", result.Commits);
        writer.WriteNumber("commit_p50_ms", Math.Round(result.CommitP50Ms, 3));
        writer.WriteNumber("commit_max_ms", Math.Round(result.CommitMaxMs, 3));
        writer.WriteNumber("load_s", Math.Round(result.LoadSeconds, 3));
        writer.WriteNumber("disk_bytes", result.DiskBytes);
        writer.WriteEndObject();
    }
}
