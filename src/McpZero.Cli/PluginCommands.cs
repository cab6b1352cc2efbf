using System.Text.Json;
using McpZero.Client;
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

        CommandLine line = CommandLine.Parse(args[1..], "json");
        bool json = line.Flag("json");
        switch (args[0])
        {
            case "install":
                return await InstallAsync(line, json).ConfigureAwait(false);

            case "list":
            {
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                line.EnsureNoExtras(0);
                PluginListResponse list = await ClientCommand.RequestAsync<PluginListResponse>(client, new PluginListRequest()).ConfigureAwait(false);
                if (json)
                {
                    JsonOutput.Write(list, CliJsonContext.Default.PluginListResponse);
                    return Cli.ExitOk;
                }

                var table = new TextTable("NAME", "SHA256", "SIZE", "AGENTS", "EXPORTS");
                foreach (PluginInfo plugin in list.Plugins)
                {
                    table.Add(plugin.Name, plugin.Sha256[..12], TimeFormat.Bytes(plugin.SizeBytes), plugin.AttachedAgents.ToString(), string.Join(",", plugin.Exports));
                }

                table.Write(Console.Out);
                return Cli.ExitOk;
            }

            case "show":
            {
                string name = line.Argument(0, "plugin name");
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                line.EnsureNoExtras(1);
                PluginInfo plugin = await ClientCommand.RequestAsync<PluginInfo>(client, new PluginShowRequest { Name = name }).ConfigureAwait(false);
                WritePlugin(plugin, json);
                return Cli.ExitOk;
            }

            case "remove":
            {
                string name = line.Argument(0, "plugin name");
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                line.EnsureNoExtras(1);
                OkResponse ok = await ClientCommand.RequestAsync<OkResponse>(client, new PluginRemoveRequest { Name = name }).ConfigureAwait(false);
                Console.Out.WriteLine(ok.Message);
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
        string? name = line.Option("name");
        await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
        line.EnsureNoExtras(1);

        var request = new PluginInstallRequest { Name = name };
        try
        {
            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                request.ManifestJson = await File.ReadAllTextAsync(file).ConfigureAwait(false);
                string modulePath = ModulePathFromManifest(file, request.ManifestJson);
                request.Wasm = await File.ReadAllBytesAsync(modulePath).ConfigureAwait(false);
                request.Name ??= ManifestName(request.ManifestJson) ?? Path.GetFileNameWithoutExtension(modulePath);
            }
            else
            {
                request.Wasm = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
                request.Name ??= Path.GetFileNameWithoutExtension(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read '{file}': {ex.Message}");
        }

        uint maxFrame = client.Server?.MaxFrameBytes ?? 0;
        if (maxFrame > 0 && request.Wasm.Length + 4096 > maxFrame)
        {
            throw new UsageException($"module '{file}' is {request.Wasm.Length} bytes, over the daemon's maximum frame size of {maxFrame} bytes; raise MaxFrameBytes in the daemon's configuration");
        }

        PluginInfo plugin = await ClientCommand.RequestAsync<PluginInfo>(client, request).ConfigureAwait(false);
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
            JsonOutput.Write(plugin, CliJsonContext.Default.PluginInfo);
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
        table.Write(Console.Out);
    }
}
