using System.Security.Cryptography;
using System.Text.RegularExpressions;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    /// <summary>
    /// Validates, compiles and registers a module under a name. A different module under a name that
    /// active agents have attached is rejected unless <paramref name="replace"/> is set; then calls
    /// that start afterwards run the new module.
    /// </summary>
    public PluginInfo InstallPlugin(string? name, byte[] wasm, string? manifestJson, bool replace = false)
    {
        PluginManifest manifest = manifestJson is null ? PluginManifest.Empty : PluginManifest.Parse(manifestJson);
        string pluginName = name ?? manifest.Name ?? throw new AgentException(ErrorCode.InvalidArgument, "plugin name is missing; pass --name NAME");
        ValidateName(pluginName, "plugin");

        if (wasm.Length == 0)
        {
            throw new AgentException(ErrorCode.InvalidModule, $"plugin '{pluginName}' has an empty module");
        }

        string sha256 = Convert.ToHexStringLower(SHA256.HashData(wasm));
        if (manifest.Hash is { } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new AgentException(
                ErrorCode.InvalidModule,
                $"module hash mismatch for plugin '{pluginName}': the manifest says {expected} but the module's SHA-256 is {sha256}");
        }

        if (!replace && _plugins.TryGetValue(pluginName, out PluginState? existing) && existing.Record.Sha256 != sha256)
        {
            string[] users = AttachedActiveAgents(pluginName);
            if (users.Length > 0)
            {
                throw new AgentException(
                    ErrorCode.Conflict,
                    $"plugin '{pluginName}' is attached to agent(s) {string.Join(", ", users)} and this is a different module (sha256 {sha256[..12]}, installed {existing.Record.Sha256[..12]}); pass --replace to switch those agents to it, or install it under another name");
            }
        }

        PluginModule module;
        try
        {
            module = _engine.Load(sha256, wasm);
        }
        catch (PluginException ex)
        {
            throw new AgentException(ErrorCode.InvalidModule, $"plugin '{pluginName}' is not a valid module: {ex.Message}", ex);
        }

        WriteModuleFile(sha256, wasm);

        var record = new PluginRecord
        {
            Name = pluginName,
            Sha256 = sha256,
            SizeBytes = wasm.Length,
            Exports = [.. module.Exports],
            Config = manifest.Config,
            InstalledUnixMicros = NowUnixMicros(),
            MaxPages = manifest.MaxPages,
            TimeoutMs = manifest.TimeoutMs,
            MaxVariableBytes = manifest.MaxVariableBytes,
            AllowedHosts = [.. manifest.AllowedHosts],
            AllowedPaths = ToStoredGrants(manifest.AllowedPaths),
            MaxHttpResponseBytes = manifest.MaxHttpResponseBytes,
        };

        lock (_catalogLock)
        {
            _store.UpsertDocument(StoreKeys.Plugin(pluginName), record);
            if (!_plugins.ContainsKey(pluginName))
            {
                var index = new IdIndex { Ids = [.. _plugins.Keys, pluginName] };
                _store.UpsertDocument(StoreKeys.PluginIndex, index);
            }

            _plugins[pluginName] = new PluginState(record) { Module = module };
            RegisterPluginResource(record, manifest.Capabilities);
        }

        Log.PluginInstalled(_logger, pluginName, sha256, wasm.Length, module.Exports.Count);
        return ToInfo(record);
    }

    public PluginInfo[] ListPlugins() =>
        [.. _plugins.Values.Select(state => ToInfo(state.Record)).OrderBy(info => info.Name, StringComparer.Ordinal)];

    public PluginInfo ShowPlugin(string name) => ToInfo(GetPlugin(name).Record);

    /// <summary>Removes a plugin that no active agent has attached.</summary>
    public void RemovePlugin(string name)
    {
        lock (_catalogLock)
        {
            PluginState plugin = GetPlugin(name);
            string[] users = AttachedActiveAgents(name);
            if (users.Length > 0)
            {
                throw new AgentException(
                    ErrorCode.Conflict,
                    $"plugin '{name}' is attached to agent(s) {string.Join(", ", users)}; terminate them first");
            }

            _plugins.TryRemove(name, out _);
            _store.UpsertDocument(StoreKeys.PluginIndex, new IdIndex { Ids = [.. _plugins.Keys] });
            _store.Delete(StoreKeys.Plugin(name));
            UnregisterPluginResource(name);

            string sha256 = plugin.Record.Sha256;
            if (!_plugins.Values.Any(other => other.Record.Sha256 == sha256))
            {
                if (plugin.Module is { } module)
                {
                    _engine.Unload(module);
                }

                File.Delete(ModulePath(sha256));
            }
        }

        Log.PluginRemoved(_logger, name);
    }

    private string[] AttachedActiveAgents(string pluginName) =>
        [.. _agents.Values
            .Where(agent => agent.Record.Status == AgentStatus.Active && agent.Record.Plugins.Contains(pluginName))
            .Select(agent => agent.Record.AgentId)
            .Order(StringComparer.Ordinal)];

    private PluginState GetPlugin(string name) =>
        _plugins.TryGetValue(name, out PluginState? plugin)
            ? plugin
            : throw new AgentException(ErrorCode.PluginNotFound, $"plugin '{name}' not found; list plugins with `mcpzero plugin list`");

    /// <summary>Returns the plugin's compiled module, loading it from the module file on first use.</summary>
    private PluginModule GetModule(PluginState plugin)
    {
        if (plugin.Module is { } loaded)
        {
            return loaded;
        }

        lock (plugin.LoadLock)
        {
            if (plugin.Module is null)
            {
                string path = ModulePath(plugin.Record.Sha256);
                byte[] wasm;
                try
                {
                    wasm = File.ReadAllBytes(path);
                }
                catch (IOException ex)
                {
                    throw new AgentException(
                        ErrorCode.StorageFailure,
                        $"module file '{path}' of plugin '{plugin.Record.Name}' cannot be read: {ex.Message}; reinstall the plugin",
                        ex);
                }

                plugin.Module = _engine.Load(plugin.Record.Sha256, wasm);
            }

            return plugin.Module;
        }
    }

    private string ModulePath(string sha256) => Path.Combine(_modulesDirectory, sha256 + ".wasm");

    private void WriteModuleFile(string sha256, byte[] wasm)
    {
        string path = ModulePath(sha256);
        if (File.Exists(path))
        {
            return;
        }

        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, wasm);
        File.Move(temporary, path, overwrite: true);
    }

    private PluginInfo ToInfo(PluginRecord record) => new()
    {
        Name = record.Name,
        Sha256 = record.Sha256,
        SizeBytes = record.SizeBytes,
        Exports = record.Exports,
        Config = record.Config,
        InstalledUnixMicros = record.InstalledUnixMicros,
        AttachedAgents = _agents.Values.Count(agent => agent.Record.Status == AgentStatus.Active && agent.Record.Plugins.Contains(record.Name)),
        AllowedHosts = record.AllowedHosts,
        AllowedPaths = record.AllowedPaths.ToDictionary(grant => (grant.Writable ? "rw:" : "ro:") + grant.HostPath, grant => grant.GuestPath, StringComparer.Ordinal),
        MaxHttpResponseBytes = record.MaxHttpResponseBytes,
    };

    private static void ValidateName(string name, string kind)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"{kind} name '{name}' is invalid; use 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();
}
