using System.Text.Json;
using McpZero.Plugins;
using McpZero.Protocol;

namespace McpZero.Agents;

/// <summary>
/// The parts of an Extism-shaped manifest this runtime uses: the first module's hash and name,
/// config, <c>memory.max_pages</c>, <c>memory.max_var_bytes</c>, <c>timeout_ms</c> and
/// <c>capabilities</c>, <c>exports</c> with the exports whose results may be cached, and the
/// sandbox grants <c>allowed_hosts</c>, <c>allowed_paths</c> and <c>memory.max_http_response_bytes</c>.
/// </summary>
internal sealed partial class PluginManifest
{
    public static PluginManifest Empty { get; } = new();

    public string? Name { get; private init; }

    public string? Hash { get; private init; }

    public Dictionary<string, string> Config { get; private init; } = [];

    public int MaxPages { get; private init; }

    public int TimeoutMs { get; private init; }

    public long MaxVariableBytes { get; private init; }

    /// <summary>Names from the manifest's <c>capabilities</c> array, registered with the plugin's exports in the resources registry.</summary>
    public IReadOnlyList<string> Capabilities { get; private init; } = [];

    // Declared exports: each entry of the manifest's "exports" array is a method name, or an object
    // { "name": ..., "cacheable": true }.

    /// <summary>Names listed in the manifest's <c>exports</c> array; empty when it has none.</summary>
    public IReadOnlyList<string> DeclaredExports { get; private init; } = [];

    /// <summary>Exports marked <c>"cacheable": true</c>, whose successful results the runtime may cache.</summary>
    public IReadOnlyList<string> CacheableExports { get; private init; } = [];

    private static (List<string> Declared, List<string> Cacheable) ParseExports(JsonElement root)
    {
        var declared = new List<string>();
        var cacheable = new List<string>();
        if (!root.TryGetProperty("exports", out JsonElement exports) || exports.ValueKind == JsonValueKind.Null)
        {
            return (declared, cacheable);
        }

        if (exports.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("\"exports\" must be an array of method names or { \"name\": ..., \"cacheable\": true } objects");
        }

        foreach (JsonElement entry in exports.EnumerateArray())
        {
            string name;
            bool isCacheable = false;
            if (entry.ValueKind == JsonValueKind.String && entry.GetString() is { Length: > 0 } text)
            {
                name = text;
            }
            else if (entry.ValueKind == JsonValueKind.Object)
            {
                name = OptionalString(entry, "name") is { Length: > 0 } objectName
                    ? objectName
                    : throw Invalid("every object in \"exports\" needs a non-empty string \"name\"");
                if (entry.TryGetProperty("cacheable", out JsonElement flag))
                {
                    isCacheable = flag.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Invalid($"\"cacheable\" of export \"{name}\" must be true or false"),
                    };
                }
            }
            else
            {
                throw Invalid("\"exports\" must contain only non-empty method names or { \"name\": ..., \"cacheable\": true } objects");
            }

            if (declared.Contains(name))
            {
                throw Invalid($"export \"{name}\" is listed twice in \"exports\"");
            }

            declared.Add(name);
            if (isCacheable)
            {
                cacheable.Add(name);
            }
        }

        return (declared, cacheable);
    }

    /// <summary>Host name patterns from <c>allowed_hosts</c> that <c>http_request</c> may reach; empty denies all.</summary>
    public IReadOnlyList<string> AllowedHosts { get; private init; } = [];

    /// <summary>Directories from <c>allowed_paths</c>, preopened for WASI; empty gives no filesystem.</summary>
    public IReadOnlyList<PluginPathGrant> AllowedPaths { get; private init; } = [];

    /// <summary>Manifest <c>memory.max_http_response_bytes</c>; 0 when the manifest set none.</summary>
    public long MaxHttpResponseBytes { get; private init; }

    public static PluginManifest Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the top level must be an object");
            }

            string? name = null;
            string? hash = null;
            if (root.TryGetProperty("wasm", out JsonElement wasm))
            {
                if (wasm.ValueKind != JsonValueKind.Array || wasm.GetArrayLength() != 1)
                {
                    throw Invalid("\"wasm\" must be an array with exactly one module");
                }

                JsonElement first = wasm[0];
                name = OptionalString(first, "name");
                hash = OptionalString(first, "hash");
            }

            var config = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("config", out JsonElement configElement))
            {
                if (configElement.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid("\"config\" must be an object of strings");
                }

                foreach (JsonProperty property in configElement.EnumerateObject())
                {
                    config[property.Name] = property.Value.ValueKind == JsonValueKind.String
                        ? property.Value.GetString()!
                        : throw Invalid($"config value \"{property.Name}\" must be a string");
                }
            }

            int maxPages = 0;
            long maxVariableBytes = 0;
            if (root.TryGetProperty("memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object)
            {
                maxPages = OptionalInt(memory, "max_pages");
                maxVariableBytes = OptionalInt(memory, "max_var_bytes");
            }

            var capabilities = new List<string>();
            if (root.TryGetProperty("capabilities", out JsonElement capabilitiesElement))
            {
                if (capabilitiesElement.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid("\"capabilities\" must be an array of strings");
                }

                foreach (JsonElement capability in capabilitiesElement.EnumerateArray())
                {
                    capabilities.Add(capability.ValueKind == JsonValueKind.String && capability.GetString() is { Length: > 0 } text
                        ? text
                        : throw Invalid("\"capabilities\" must contain only non-empty strings"));
                }
            }

            (List<string> declaredExports, List<string> cacheableExports) = ParseExports(root);
            (List<string> allowedHosts, List<PluginPathGrant> allowedPaths, long maxHttpResponseBytes) = ParseSandboxGrants(root);

            var manifest = new PluginManifest
            {
                DeclaredExports = declaredExports,
                CacheableExports = cacheableExports,
                AllowedHosts = allowedHosts,
                AllowedPaths = allowedPaths,
                MaxHttpResponseBytes = maxHttpResponseBytes,
                Capabilities = capabilities,
                Name = OptionalString(root, "name") ?? (name == "main" ? null : name),
                Hash = hash,
                Config = config,
                MaxPages = maxPages,
                TimeoutMs = OptionalInt(root, "timeout_ms"),
                MaxVariableBytes = maxVariableBytes,
            };
            manifest.ReadBundleFields(root);
            return manifest;
        }
        catch (JsonException ex)
        {
            throw Invalid(ex.Message);
        }
    }

    // Reads allowed_hosts, allowed_paths and memory.max_http_response_bytes.
    private static (List<string> Hosts, List<PluginPathGrant> Paths, long MaxHttpResponseBytes) ParseSandboxGrants(JsonElement root)
    {
        var hosts = new List<string>();
        if (root.TryGetProperty("allowed_hosts", out JsonElement hostsElement) && hostsElement.ValueKind != JsonValueKind.Null)
        {
            if (hostsElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("\"allowed_hosts\" must be an array of host names such as \"api.example.com\" or \"*.example.com\"");
            }

            foreach (JsonElement host in hostsElement.EnumerateArray())
            {
                hosts.Add(host.ValueKind == JsonValueKind.String && host.GetString() is { Length: > 0 } text
                    ? text
                    : throw Invalid("\"allowed_hosts\" must contain only non-empty strings"));
            }
        }

        var paths = new List<PluginPathGrant>();
        if (root.TryGetProperty("allowed_paths", out JsonElement pathsElement) && pathsElement.ValueKind != JsonValueKind.Null)
        {
            if (pathsElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("\"allowed_paths\" must be an object that maps host directories to guest paths");
            }

            foreach (JsonProperty property in pathsElement.EnumerateObject())
            {
                paths.Add(ParsePathGrant(property));
            }
        }

        long maxHttpResponseBytes = 0;
        if (root.TryGetProperty("memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object
            && memory.TryGetProperty("max_http_response_bytes", out JsonElement maxElement) && maxElement.ValueKind != JsonValueKind.Null)
        {
            maxHttpResponseBytes = maxElement.ValueKind == JsonValueKind.Number && maxElement.TryGetInt64(out long value) && value >= 0
                ? value
                : throw Invalid("\"max_http_response_bytes\" must be a non-negative integer");
        }

        return (hosts, paths, maxHttpResponseBytes);
    }

    /// <summary>
    /// Parses one <c>allowed_paths</c> entry. The key is an absolute host directory, read-only unless it
    /// starts with <c>rw:</c>. A <c>ro:</c> prefix is accepted too, because Extism's runtime (1.x) reads it,
    /// although there an entry without a prefix is writable. The value is the guest path.
    /// </summary>
    private static PluginPathGrant ParsePathGrant(JsonProperty property)
    {
        string hostPath = property.Name;
        bool writable = false;
        if (hostPath.StartsWith("rw:", StringComparison.Ordinal))
        {
            hostPath = hostPath[3..];
            writable = true;
        }
        else if (hostPath.StartsWith("ro:", StringComparison.Ordinal))
        {
            hostPath = hostPath[3..];
        }

        if (!Path.IsPathFullyQualified(hostPath))
        {
            throw Invalid($"allowed_paths host directory \"{hostPath}\" is not an absolute path");
        }

        if (!Directory.Exists(hostPath))
        {
            throw Invalid($"allowed_paths host directory \"{hostPath}\" does not exist; create it before installing the plugin");
        }

        if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 } guestPath)
        {
            throw Invalid($"allowed_paths guest path of \"{property.Name}\" must be a non-empty string such as \"/data\"");
        }

        return new PluginPathGrant(hostPath, guestPath, writable);
    }

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int OptionalInt(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number) || number < 0)
        {
            throw Invalid($"\"{property}\" must be a non-negative integer");
        }

        return number;
    }

    private static AgentException Invalid(string reason) =>
        new(ErrorCode.InvalidArgument, $"plugin manifest is invalid: {reason}");
}
