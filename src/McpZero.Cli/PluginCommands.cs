using System.Text.Json;
using McpZero.Agents;
using McpZero.Agents.Trust;
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
            throw new UsageException("missing plugin command: install, list, show, remove, keygen, sign or verify");
        }

        CommandSpec spec = args[0] switch
        {
            "install" => new CommandSpec("plugin install", 1, ["name", "socket"], ["json", "replace"]),
            "list" => CommandSpec.Client("plugin list", 0),
            "show" => CommandSpec.Client("plugin show", 1),
            "remove" => CommandSpec.Client("plugin remove", 1),
            "keygen" => new CommandSpec("plugin keygen", 0, ["out", "name"], ["json"]),
            "sign" => new CommandSpec("plugin sign", 1, ["key"], []),
            "verify" => new CommandSpec("plugin verify", 1, ["trusted-keys"], []),
            _ => throw new UsageException($"unknown plugin command '{args[0]}'; use install, list, show, remove, keygen, sign or verify"),
        };
        CommandLine line = CommandLine.Parse(args[1..], spec);
        bool json = spec.Flags.Contains("json") && line.Flag("json");
        switch (args[0])
        {
            case "keygen":
                return PluginTrustCommands.Keygen(line, json);

            case "sign":
                return PluginTrustCommands.Sign(line);

            case "verify":
                return PluginTrustCommands.Verify(line);

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

                var table = new TextTable("NAME", "VERSION", "SHA256", "SIZE", "SIGNER", "AGENTS", "EXPORTS");
                foreach (PluginInfo plugin in list.Plugins)
                {
                    table.Add(
                        plugin.Name,
                        plugin.Version.Length == 0 ? "-" : plugin.Version,
                        plugin.Sha256[..12],
                        TimeFormat.Bytes(plugin.SizeBytes),
                        Signer(plugin),
                        plugin.AttachedAgents.ToString(),
                        string.Join(",", plugin.Exports));
                }

                table.Write(Output.Out);
                return Cli.ExitOk;
            }

            case "show":
            {
                string name = line.Argument(0, "plugin name or NAME@VERSION");
                await using McpZeroClient client = await ClientCommand.ConnectAsync(line).ConfigureAwait(false);
                PluginInfo plugin = await ClientCommand.RequestAsync<PluginInfo>(client, new PluginShowRequest { Name = name }).ConfigureAwait(false);
                WritePlugin(plugin, json);
                return Cli.ExitOk;
            }

            case "remove":
            {
                string name = line.Argument(0, "plugin name or NAME@VERSION");
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
                throw new UsageException($"unknown plugin command '{args[0]}'; use install, list, show, remove, keygen, sign or verify");
        }
    }

    /// <summary>
    /// Installs a bundle folder or .tar, FILE.wasm, or a manifest.json whose first <c>wasm[].path</c>
    /// names the module, relative to the manifest's folder. The daemon verifies the signature.
    /// </summary>
    private static async Task<int> InstallAsync(CommandLine line, bool json)
    {
        string file = line.Argument(0, "bundle folder, bundle .tar, FILE.wasm or manifest.json");
        var request = new PluginInstallRequest { Name = line.Option("name"), Replace = line.Flag("replace") };
        if (PluginBundle.IsBundlePath(file))
        {
            PluginBundle bundle = ReadBundle(file);
            request.ManifestJson = PluginTrustCommands.DecodeUtf8(bundle.Manifest, file, PluginBundle.ManifestFile);
            request.Wasm = bundle.Module;
            request.Signature = bundle.Signature;
            request.Readme = bundle.Readme is null ? null : PluginTrustCommands.DecodeUtf8(bundle.Readme, file, PluginBundle.ReadmeFile);
        }
        else if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
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

    private static PluginBundle ReadBundle(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new UsageException($"bundle '{path}' not found");
        }

        try
        {
            return PluginBundle.Read(path);
        }
        catch (AgentException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read bundle '{path}': {ex.Message}");
        }
    }

    private static string Signer(PluginInfo plugin) =>
        plugin.SignerKeyId.Length == 0 ? "unsigned" : BundleSignature.ShortenKeyId(plugin.SignerKeyId);

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
        table.Add("version", plugin.Version.Length == 0 ? "-" : plugin.Version);
        table.Add("versions", string.Join(", ", plugin.InstalledVersions.Select(version => version.Length == 0 ? "-" : version)));
        table.Add("description", plugin.Description);
        table.Add("signer", plugin.SignerKeyId.Length == 0 ? "unsigned" : plugin.SignerKeyId);
        table.Add("capabilities", string.Join(", ", plugin.Capabilities));
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
        if (plugin.Readme.Length > 0)
        {
            Output.Out.WriteLine();
            Output.Out.WriteLine(plugin.Readme.TrimEnd());
        }
    }
}
