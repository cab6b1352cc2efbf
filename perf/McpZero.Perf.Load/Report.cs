using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpZero.Perf.Load;

/// <summary>
/// Builds the results page, the JSON of every figure and the gnuplot plots from the files that
/// perf/run leaves in its work folder: machine.txt and notes.txt (KEY=VALUE lines and free text),
/// bench-*.txt (output of perf/agent-bench.sh --json), load-*.json, soak-*.json, start-*.json,
/// fill-*.json, and peer-NAME.json or peer-NAME.error.
/// </summary>
internal sealed partial class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly string[] PeerNames = ["pingpong", "extism", "statebench"];

    private readonly string _work;
    private readonly string _name;
    private readonly string _results;
    private readonly StringBuilder _page = new();

    public Report(string workDirectory, string name, string resultsDirectory)
    {
        _work = workDirectory;
        _name = name;
        _results = resultsDirectory;
    }

    public void Write()
    {
        Dictionary<string, string> machine = ReadKeyValues("machine.txt");
        List<JsonObject> bench = ReadBench();
        List<JsonObject> loads = ReadJsonFiles("load-*.json");
        List<JsonObject> soaks = ReadJsonFiles("soak-*.json");
        List<JsonObject> starts = ReadJsonFiles("start-*.json");
        List<JsonObject> fills = ReadJsonFiles("fill-*.json");
        var peers = new JsonObject();
        foreach (string peer in PeerNames)
        {
            peers[peer] = ReadPeer(peer);
        }

        JsonObject ratios = ComputeRatios(loads, peers);
        string notes = File.Exists(Path.Combine(_work, "notes.txt")) ? File.ReadAllText(Path.Combine(_work, "notes.txt")).Trim() : "";

        var all = new JsonObject
        {
            ["machine"] = ToJson(machine),
            ["notes"] = notes,
            ["bench"] = ToArray(bench),
            ["load"] = ToArray(loads),
            ["soak"] = ToArray(soaks),
            ["startup"] = ToArray(starts),
            ["fill"] = ToArray(fills),
            ["peers"] = peers,
            ["ratios"] = ratios,
        };
        Directory.CreateDirectory(_results);
        using (FileStream file = File.Create(Path.Combine(_results, _name + ".json")))
        using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            all.WriteTo(json);
        }

        List<string> plots = WritePlots(loads, soaks, starts);

        WriteHeader(machine, notes);
        WriteBench(bench);
        WriteLoad(loads);
        WriteEnvelope(loads, soaks, starts, fills);
        WritePeers(peers, ratios);
        WritePlotLinks(plots);
        File.WriteAllText(Path.Combine(_results, _name + ".md"), _page.ToString());
    }

    private Dictionary<string, string> ReadKeyValues(string fileName)
    {
        var values = new Dictionary<string, string>();
        string path = Path.Combine(_work, fileName);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (string line in File.ReadAllLines(path))
        {
            int equals = line.IndexOf('=');
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
        }

        return values;
    }

    /// <summary>Reads each bench-*.txt: the JSON object of <c>mcpzero bench --json</c> plus the idle RSS line.</summary>
    private List<JsonObject> ReadBench()
    {
        var runs = new List<JsonObject>();
        foreach (string path in Directory.GetFiles(_work, "bench-*.txt").Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(path);
            int start = text.IndexOf('{');
            if (start < 0)
            {
                continue;
            }

            JsonObject run = JsonNode.Parse(text[start..])!.AsObject();
            const string IdlePrefix = "daemon idle RSS after installing the samples: ";
            foreach (string line in text[..start].Split('\n'))
            {
                if (line.StartsWith(IdlePrefix, StringComparison.Ordinal))
                {
                    run["idle_rss_mb"] = double.Parse(line[IdlePrefix.Length..].Replace(" MB", ""), Invariant);
                }
            }

            runs.Add(run);
        }

        return runs;
    }

    private List<JsonObject> ReadJsonFiles(string pattern) =>
        Directory.GetFiles(_work, pattern)
            .Order(StringComparer.Ordinal)
            .Select(path => JsonNode.Parse(File.ReadAllText(path))!.AsObject())
            .ToList();

    private JsonNode ReadPeer(string peer)
    {
        string result = Path.Combine(_work, $"peer-{peer}.json");
        string error = Path.Combine(_work, $"peer-{peer}.error");
        if (File.Exists(result))
        {
            try
            {
                return JsonNode.Parse(File.ReadAllText(result))!;
            }
            catch (JsonException ex)
            {
                return new JsonObject { ["error"] = $"invalid JSON in the peer's output: {ex.Message}" };
            }
        }

        string message = File.Exists(error) ? File.ReadAllText(error).Trim() : "not run";
        return new JsonObject { ["error"] = message };
    }

    private static JsonObject ComputeRatios(List<JsonObject> loads, JsonObject peers)
    {
        var ratios = new JsonObject();
        JsonObject? noop = FindLoad(loads, "unpinned", "noop", "closed", 1);
        JsonObject? process = FindLoad(loads, "unpinned", "process", "closed", 1);

        if (noop is not null && peers["pingpong"] is JsonObject pingpong && pingpong["p50_us"] is JsonNode floorP50)
        {
            ratios["noop_round_trip_over_pingpong_p50"] = Ratio(Number(noop["latency"]!["p50_us"]), Number(floorP50));
            ratios["noop_round_trip_over_pingpong_avg"] = Ratio(Number(noop["latency"]!["mean_us"]), Number(pingpong["avg_us"]));
        }

        if (process is not null && peers["extism"] is JsonObject extism && extism["p50_us"] is JsonNode extismP50)
        {
            ratios["process_round_trip_over_extism_js_p50"] = Ratio(Number(process["latency"]!["p50_us"]), Number(extismP50));
            ratios["process_round_trip_over_extism_js_avg"] = Ratio(Number(process["latency"]!["mean_us"]), Number(extism["avg_us"]));
        }

        if (peers["statebench"] is JsonObject state && state["ratio_faster_over_sqlite"] is JsonNode stateRatio)
        {
            ratios["faster_over_sqlite_ops"] = Number(stateRatio);
        }

        return ratios;
    }

    private static JsonObject? FindLoad(List<JsonObject> loads, string profile, string method, string mode, double level) =>
        loads.FirstOrDefault(load =>
            (string?)load["profile"] == profile && (string?)load["method"] == method && (string?)load["mode"] == mode &&
            Number(load[mode == "open" ? "rate" : "concurrency"]) == level);

    private static double Number(JsonNode? node) => node?.GetValue<double>() ?? double.NaN;

    private static double Ratio(double value, double floor) => floor > 0 ? Math.Round(value / floor, 2) : double.NaN;

    private static JsonObject ToJson(Dictionary<string, string> values)
    {
        var json = new JsonObject();
        foreach ((string key, string value) in values)
        {
            json[key] = value;
        }

        return json;
    }

    private static JsonArray ToArray(List<JsonObject> items)
    {
        var array = new JsonArray();
        foreach (JsonObject item in items)
        {
            array.Add(item.DeepClone());
        }

        return array;
    }

    private void Line(string text = "") => _page.Append(text).Append('\n');

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, Invariant);
}
