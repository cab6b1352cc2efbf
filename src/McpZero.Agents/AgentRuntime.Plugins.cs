using System.Security.Cryptography;
using System.Text.RegularExpressions;
using McpZero.Plugins;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    private const int MaxReadmeChars = 64 * 1024;

    /// <summary>
    /// Verifies, validates, compiles and registers a module under its name and manifest version.
    /// A different module under a name and version that active agents use is rejected unless
    /// <paramref name="replace"/> is set; then calls that start afterwards run the new module.
    /// </summary>
    /// <param name="signature">Content of the bundle's signature.bin; null for an unsigned plugin.</param>
    /// <param name="readme">The bundle's README.md, covered by the signature.</param>
    public PluginInfo InstallPlugin(string? name, byte[] wasm, string? manifestJson, bool replace = false, byte[]? signature = null, string? readme = null)
    {
        try
        {
            return InstallPluginCore(name, wasm, manifestJson, replace, signature, readme);
        }
        catch (AgentException ex)
        {
            Log.PluginInstallRejected(_logger, name ?? ManifestNameOrNull(manifestJson) ?? "(unnamed)", ex.Code, ex.Message);
            throw;
        }
    }

    // The manifest's name for the log line of a rejected install; null when the manifest has none or cannot be read.
    private static string? ManifestNameOrNull(string? manifestJson)
    {
        if (manifestJson is null)
        {
            return null;
        }

        try
        {
            return PluginManifest.Parse(manifestJson).Name;
        }
        catch (AgentException)
        {
            return null;
        }
    }

    private PluginInfo InstallPluginCore(string? name, byte[] wasm, string? manifestJson, bool replace, byte[]? signature, string? readme)
    {
        PluginManifest manifest = manifestJson is null ? PluginManifest.Empty : PluginManifest.Parse(manifestJson);
        string pluginName = name ?? manifest.Name ?? throw new AgentException(ErrorCode.InvalidArgument, "plugin name is missing; pass --name NAME");
        ValidateName(pluginName, "plugin");
        if (signature is not null && manifest.Name is { } signedName && signedName != pluginName)
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"plugin name '{pluginName}' differs from '{signedName}' in the signed manifest; a signed bundle installs under its manifest's name, so drop --name");
        }

        if (wasm.Length == 0)
        {
            throw new AgentException(ErrorCode.InvalidModule, $"plugin '{pluginName}' has an empty module");
        }

        // Every PluginInfo carries the README, so a large one would bloat each plugin list response.
        if (readme is { Length: > MaxReadmeChars })
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                $"README.md of plugin '{pluginName}' has {readme.Length} characters; the maximum is {MaxReadmeChars}, so shorten it");
        }

        string sha256 = Convert.ToHexStringLower(SHA256.HashData(wasm));
        if (manifest.Hash is { } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new AgentException(
                ErrorCode.InvalidModule,
                $"module hash mismatch for plugin '{pluginName}': the manifest says {expected} but the module's SHA-256 is {sha256}");
        }

        string version = manifest.Version ?? "";
        string pluginId = PluginId(pluginName, version);
        string? signerKeyId = VerifyTrust(pluginId, manifestJson, wasm, signature, readme);

        if (!replace && _plugins.TryGetValue(pluginId, out PluginState? existing) && existing.Record.Sha256 != sha256)
        {
            string[] users = AgentsUsing(existing);
            if (users.Length > 0)
            {
                throw new AgentException(
                    ErrorCode.Conflict,
                    $"plugin '{pluginId}' is attached to agent(s) {string.Join(", ", users)} and this is a different module (sha256 {sha256[..12]}, installed {existing.Record.Sha256[..12]}); pass --replace to switch those agents to it, give it a new version, or install it under another name");
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

        foreach (string declared in manifest.DeclaredExports)
        {
            if (!module.Exports.Contains(declared))
            {
                _engine.TryUnload(module);
                throw new AgentException(
                    ErrorCode.InvalidModule,
                    $"plugin '{pluginId}' declares export '{declared}' in its manifest but the module does not export it; the module exports: {string.Join(", ", module.Exports)}");
            }
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
            CacheableExports = [.. manifest.CacheableExports],
            Version = version,
            Description = manifest.Description ?? "",
            SignerKeyId = signerKeyId ?? "",
            Readme = readme ?? "",
            Capabilities = [.. manifest.Capabilities],
            AllowedHosts = [.. manifest.AllowedHosts],
            AllowedPaths = ToStoredGrants(manifest.AllowedPaths),
            MaxHttpResponseBytes = manifest.MaxHttpResponseBytes,
        };

        lock (_catalogLock)
        {
            _store.UpsertDocument(StoreKeys.Plugin(pluginId), record);
            if (!_plugins.ContainsKey(pluginId))
            {
                var index = new IdIndex { Ids = [.. _plugins.Keys, pluginId] };
                _store.UpsertDocument(StoreKeys.PluginIndex, index);
            }

            _plugins.TryGetValue(pluginId, out PluginState? previous);
            _plugins[pluginId] = new PluginState(record) { Module = module };
            RegisterPluginResource(record, manifest.Capabilities);

            // Calls that start from now on use the new state's module, so the old one only finishes
            // the calls in progress. When a call still runs on it, the idle sweep unloads it later.
            if (previous?.Module is { } replaced && !ReferenceEquals(replaced, module))
            {
                _engine.TryUnload(replaced);
            }
        }

        Log.PluginInstalled(_logger, pluginId, sha256, wasm.Length, module.Exports.Count);
        return ToInfo(record);
    }

    /// <summary>Lists every installed version of every plugin, by name and then oldest version first.</summary>
    public PluginInfo[] ListPlugins() =>
        [.. _plugins.Values
            .Select(state => state.Record)
            .OrderBy(record => record.Name, StringComparer.Ordinal)
            .ThenBy(record => record.Version, VersionComparer)
            .Select(ToInfo)];

    /// <summary>Shows <c>name@version</c>, or the newest installed version of <c>name</c>.</summary>
    public PluginInfo ShowPlugin(string reference) => ToInfo(GetPlugin(reference).Record);

    /// <summary>
    /// Removes <c>name@version</c>, or every version of <c>name</c>. Removing a version is rejected while
    /// an active agent pins it, or while agents follow <c>name</c> and it is the only version left.
    /// Removing a bare name is rejected while any active agent uses any of its versions.
    /// </summary>
    public void RemovePlugin(string reference)
    {
        lock (_catalogLock)
        {
            List<PluginState> removed;
            (string name, string? version) = SplitReference(reference);
            if (version is not null)
            {
                PluginState plugin = GetPlugin(reference);
                string[] pinning = AgentsReferencingExactly(reference);
                if (pinning.Length > 0)
                {
                    throw new AgentException(
                        ErrorCode.Conflict,
                        $"plugin '{reference}' is pinned by agent(s) {string.Join(", ", pinning)}; terminate them first");
                }

                string[] followers = AgentsReferencingExactly(name);
                if (followers.Length > 0 && VersionsOf(name).Count == 1)
                {
                    throw new AgentException(
                        ErrorCode.Conflict,
                        $"plugin '{reference}' is the only installed version of '{name}', which agent(s) {string.Join(", ", followers)} use; install another version or terminate them first");
                }

                removed = [plugin];
            }
            else
            {
                removed = VersionsOf(name);
                if (removed.Count == 0)
                {
                    GetPlugin(name);
                }

                string[] users = AgentsReferencingName(name);
                if (users.Length > 0)
                {
                    throw new AgentException(
                        ErrorCode.Conflict,
                        $"plugin '{name}' is attached to agent(s) {string.Join(", ", users)}; terminate them first");
                }
            }

            foreach (PluginState plugin in removed)
            {
                RemoveVersion(plugin);
            }

            ResyncAgentResources(name);
        }

        Log.PluginRemoved(_logger, reference);
    }

    // Runs under _catalogLock.
    private void RemoveVersion(PluginState plugin)
    {
        string pluginId = PluginId(plugin.Record);
        _plugins.TryRemove(pluginId, out _);
        _store.UpsertDocument(StoreKeys.PluginIndex, new IdIndex { Ids = [.. _plugins.Keys] });
        _store.Delete(StoreKeys.Plugin(pluginId));
        UnregisterPluginResource(pluginId);

        // Each plugin version loads its own module object, so this one goes even when another
        // version shares the module file.
        if (plugin.Module is { } module)
        {
            _engine.TryUnload(module);
        }

        string sha256 = plugin.Record.Sha256;
        if (!_plugins.Values.Any(other => other.Record.Sha256 == sha256))
        {
            File.Delete(ModulePath(sha256));
        }
    }

    /// <summary>
    /// Returns the plugin's compiled module, loading it from the module file on first use and again
    /// after the engine unloaded it for being idle.
    /// </summary>
    private PluginModule GetModule(PluginState plugin)
    {
        if (plugin.Module is { IsUnloaded: false } loaded)
        {
            return loaded;
        }

        lock (plugin.LoadLock)
        {
            if (plugin.Module is null or { IsUnloaded: true })
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
        AttachedAgents = _plugins.TryGetValue(PluginId(record), out PluginState? state) ? AgentsUsing(state).Length : 0,
        Version = record.Version,
        Description = record.Description,
        SignerKeyId = record.SignerKeyId,
        Readme = record.Readme,
        Capabilities = record.Capabilities,
        InstalledVersions = [.. VersionsOf(record.Name).Select(version => version.Record.Version)],
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
