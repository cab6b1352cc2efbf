using System.Text.Json;
using McpZero.Client;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Cli;

internal static class PluginCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing plugin command: install, list, show or remove");
        }

        CommandSpec spec = args[0] switch
        {
            "install" => new CommandSpec("plugin install", 1, ["name", "socket"], ["json", "replace"]),
            "list" => CommandSpec.Client("plugin list", 0),
            "show" => CommandSpec.Client("plugin show", 1),
            "remove" => CommandSpec.Client("plugin remove", 1),
            _ => throw new UsageException($"unknown plugin command '{args[0]}'; use install, list, show or remove"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        bool json = line.Flag("json");
        switch (args[0])
        {
            case "install":
                return await InstallAsync(line, json).ConfigureAwait(false);

            case "list":
            {
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                PluginListResponse list = await ClientCommand.RequestAsync<PluginListResponse>(client, new PluginListRequest()).ConfigureAwait(false);
                if (json)
                {
                    JsonOutput.Write(list, CliJsonContext.Relaxed.PluginListResponse);
                    return Cli.ExitOk;
                }

                var table = new TextTable("NAME", "SHA256", "SIZE", "AGENTS", "EXPORTS");
                foreach (PluginInfo plugin in list.Plugins)
                {
                    table.Add(plugin.Name, plugin.Sha256[..12], TimeFormat.Bytes(plugin.SizeBytes), plugin.AttachedAgents.ToString(), string.Join(",", plugin.Exports));
                }

                table.Write(Output.Out);
                return Cli.ExitOk;
            }

            case "show":
            {
                string name = line.Argument(0, "plugin name");
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                PluginInfo plugin = await ClientCommand.RequestAsync<PluginInfo>(client, new PluginShowRequest { Name = name }).ConfigureAwait(false);
                WritePlugin(plugin, json);
                return Cli.ExitOk;
            }

            case "remove":
            {
                string name = line.Argument(0, "plugin name");
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                OkResponse ok = await ClientCommand.RequestAsync<OkResponse>(client, new PluginRemoveRequest { Name = name }).ConfigureAwait(false);
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

            default:
                throw new UsageException($"unknown plugin command '{args[0]}'; use install, list, show or remove");
        }
    }

    /// <summary>
    /// Installs FILE.wasm, or a manifest.json whose first <c>wasm[].path</c> names the module,
    /// relative to the manifest's folder.
    /// </summary>
    private static async Task<int> InstallAsync(CommandLine line, bool json)
    {
        string file = line.Argument(0, "module file (FILE.wasm or manifest.json)");
        var request = new PluginInstallRequest { Name = line.Option("name"), Replace = line.Flag("replace") };
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            request.ManifestJson = await InputFile.ReadAllTextAsync(file, "manifest").ConfigureAwait(false);
            string modulePath = ModulePathFromManifest(file, request.ManifestJson);
            request.Wasm = await InputFile.ReadAllBytesAsync(modulePath, "module").ConfigureAwait(false);
            request.Name ??= ManifestName(request.ManifestJson) ?? Path.GetFileNameWithoutExtension(modulePath);
        }
        else
        {
            request.Wasm = await InputFile.ReadAllBytesAsync(file, "module").ConfigureAwait(false);
            request.Name ??= Path.GetFileNameWithoutExtension(file);
        }

        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        PluginInfo plugin;
        try
        {
            plugin = await ClientCommand.RequestAsync<PluginInfo>(client, request).ConfigureAwait(false);
        }
        catch (McpZeroServerException ex) when (ex.Code == ErrorCode.FrameTooLarge)
        {
            throw new McpZeroServerException(ex.Code, $"module '{file}' ({request.Wasm.Length} bytes) is too large to send: {ex.Message}");
        }

        WritePlugin(plugin, json);
        return Cli.ExitOk;
    }

    private static string ModulePathFromManifest(string manifestFile, string manifestJson)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(manifestJson);
            if (document.RootElement.TryGetProperty("wasm", out JsonElement wasm)
                && wasm.ValueKind == JsonValueKind.Array
                && wasm.GetArrayLength() > 0
                && wasm[0].TryGetProperty("path", out JsonElement path)
                && path.ValueKind == JsonValueKind.String)
            {
                string directory = Path.GetDirectoryName(Path.GetFullPath(manifestFile))!;
                return Path.GetFullPath(path.GetString()!, directory);
            }
        }
        catch (JsonException ex)
        {
            throw new UsageException($"manifest '{manifestFile}' is not valid JSON: {ex.Message}");
        }

        throw new UsageException($"manifest '{manifestFile}' has no wasm[0].path naming the module file");
    }

    private static string? ManifestName(string manifestJson)
    {
        using JsonDocument document = JsonDocument.Parse(manifestJson);
        return document.RootElement.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
    }

    private static void WritePlugin(PluginInfo plugin, bool json)
    {
        if (json)
        {
            JsonOutput.Write(plugin, CliJsonContext.Relaxed.PluginInfo);
            return;
        }

        var table = new TextTable("FIELD", "VALUE");
        table.Add("name", plugin.Name);
        table.Add("sha256", plugin.Sha256);
        table.Add("size", TimeFormat.Bytes(plugin.SizeBytes));
        table.Add("exports", string.Join(", ", plugin.Exports));
        table.Add("config", string.Join(", ", plugin.Config.Select(pair => $"{pair.Key}={pair.Value}")));
        table.Add("installed", TimeFormat.FromUnixMicros(plugin.InstalledUnixMicros));
        table.Add("agents", plugin.AttachedAgents.ToString());
        table.Add("allowed hosts", plugin.AllowedHosts.Length == 0 ? "none" : string.Join(", ", plugin.AllowedHosts));
        table.Add("allowed paths", plugin.AllowedPaths.Count == 0 ? "none" : string.Join(", ", plugin.AllowedPaths.Select(pair => $"{pair.Key}={pair.Value}")));
        table.Add("http response", plugin.MaxHttpResponseBytes > 0 ? TimeFormat.Bytes(plugin.MaxHttpResponseBytes) : TimeFormat.Bytes(McpZero.Plugins.PluginLimits.DefaultMaxHttpResponseBytes) + " (default)");
        table.Write(Output.Out);
    }
}
