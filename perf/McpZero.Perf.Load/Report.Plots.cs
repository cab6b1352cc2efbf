using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace McpZero.Perf.Load;

/// <summary>The gnuplot data, script and PNG files of the results page.</summary>
internal sealed partial class Report
{
    /// <summary>Writes the plots into the results folder and returns their file names; none when gnuplot is missing or fails.</summary>
    private List<string> WritePlots(List<JsonObject> loads, List<JsonObject> soaks, List<JsonObject> starts)
    {
        var script = new StringBuilder();
        var plots = new List<string>();
        script.Append("set terminal pngcairo size 960,600 font 'sans,10'\n");
        script.Append("set grid\nset key left top\n");

        foreach (var group in loads.GroupBy(l => ((string)l["profile"]!, (string)l["method"]!)))
        {
            string png = $"{_name}-latency-{group.Key.Item1}-{group.Key.Item2}.png";
            var lines = new List<string>();
            int index = 0;
            foreach (JsonObject load in group)
            {
                string data = Path.Combine(_work, $"plot-{group.Key.Item1}-{group.Key.Item2}-{index++}.dat");
                var text = new StringBuilder();
                foreach (JsonNode? point in load["latency"]!["spectrum"]!.AsArray())
                {
                    double fraction = Number(point![0]);
                    if (fraction < 1)
                    {
                        text.Append(Format(1 / (1 - fraction), "0.###")).Append(' ').Append(Format(Number(point[1]), "0.##")).Append('\n');
                    }
                }

                File.WriteAllText(data, text.ToString());
                string title = (string?)load["mode"] == "open" ? $"open {Number(load["rate"])}/s" : $"closed {Number(load["concurrency"])} in flight";
                lines.Add($"'{data}' using 1:2 with linespoints title '{title}'");
            }

            script.Append($"set output '{Path.Combine(_results, png)}'\n");
            script.Append($"set title 'Latency percentiles: {group.Key.Item2}, {group.Key.Item1} ({_name})'\n");
            script.Append("set logscale xy\nset xlabel 'percentile (%)'\nset ylabel 'latency (us)'\n");
            script.Append("set xtics ('0' 1, '90' 10, '99' 100, '99.9' 1000, '99.99' 10000, '99.999' 100000)\n");
            script.Append("plot ").Append(string.Join(", ", lines)).Append('\n');
            script.Append("unset logscale\nset xtics autofreq\n");
            plots.Add(png);
        }

        if (soaks.Count > 0)
        {
            string png = $"{_name}-rss.png";
            var lines = new List<string>();
            foreach (JsonObject soak in soaks)
            {
                string data = Path.Combine(_work, $"plot-rss-{soak["profile"]}.dat");
                var text = new StringBuilder();
                foreach (JsonNode? sample in soak["rss_mb"]!.AsArray())
                {
                    text.Append(Format(Number(sample![0]), "0.##")).Append(' ').Append(Format(Number(sample[1]), "0.##")).Append('\n');
                }

                File.WriteAllText(data, text.ToString());
                lines.Add($"'{data}' using 1:2 with lines title '{soak["profile"]}, {soak["method"]}, {soak["concurrency"]} in flight'");
            }

            script.Append($"set output '{Path.Combine(_results, png)}'\n");
            script.Append($"set title 'Daemon RSS (VmRSS) under sustained load ({_name})'\n");
            script.Append("set xlabel 'seconds'\nset ylabel 'RSS (MB)'\nset yrange [0:*]\n");
            script.Append("plot ").Append(string.Join(", ", lines)).Append('\n');
            script.Append("set autoscale y\n");
            plots.Add(png);
        }

        List<JsonObject> recovery = starts.Where(s => (string?)s["kind"] == "recovery").ToList();
        if (recovery.Count > 0)
        {
            string png = $"{_name}-recovery.png";
            var lines = new List<string>();
            foreach (var group in recovery.GroupBy(s => (string)s["profile"]!))
            {
                string data = Path.Combine(_work, $"plot-recovery-{group.Key}.dat");
                var text = new StringBuilder();
                foreach (JsonObject start in group.OrderBy(s => Number(s["agents"])))
                {
                    text.Append(Format(Number(start["agents"]), "0")).Append(' ').Append(Format(Number(start["ready_ms"]), "0.#")).Append('\n');
                }

                File.WriteAllText(data, text.ToString());
                lines.Add($"'{data}' using 1:2 with points pointsize 1.5 title '{group.Key}'");
            }

            script.Append($"set output '{Path.Combine(_results, png)}'\n");
            script.Append($"set title 'Restart until the first status reply, by store size ({_name})'\n");
            script.Append("set logscale x\nset xlabel 'agents in the store'\nset ylabel 'ms'\nset yrange [0:*]\n");
            script.Append("plot ").Append(string.Join(", ", lines)).Append('\n');
            plots.Add(png);
        }

        string scriptPath = Path.Combine(_work, "plots.gp");
        File.WriteAllText(scriptPath, script.ToString());
        return RunGnuplot(scriptPath) ? plots : [];
    }

    private static bool RunGnuplot(string scriptPath)
    {
        var start = new ProcessStartInfo("gnuplot") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add(scriptPath);
        try
        {
            using Process process = Process.Start(start)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"perf-load: gnuplot failed on {scriptPath} with status {process.ExitCode}: {errors.Trim()}");
                return false;
            }

            return true;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.Error.WriteLine($"perf-load: gnuplot could not be started ({ex.Message}); install the Debian package gnuplot-nox");
            return false;
        }
    }
}
