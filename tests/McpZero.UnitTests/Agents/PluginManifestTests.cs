using McpZero.Agents;
using McpZero.Plugins;
using McpZero.Protocol;

namespace McpZero.UnitTests.Agents;

public sealed class PluginManifestTests
{
    [Fact]
    public void FullManifestParsesEveryField()
    {
        const string json = """
            {
              "wasm": [
                {
                  "path": "/opt/plugins/counter.wasm",
                  "name": "counter",
                  "hash": "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"
                }
              ],
              "memory": { "max_pages": 16, "max_var_bytes": 4096, "max_http_response_bytes": 1024 },
              "config": { "step": "2", "greeting": "hello" },
              "allowed_hosts": ["example.org"],
              "allowed_paths": { "/tmp": "/data" },
              "timeout_ms": 1500
            }
            """;

        PluginManifest manifest = PluginManifest.Parse(json);

        Assert.Equal("counter", manifest.Name);
        Assert.Equal("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92", manifest.Hash);
        Assert.Equal(2, manifest.Config.Count);
        Assert.Equal("2", manifest.Config["step"]);
        Assert.Equal("hello", manifest.Config["greeting"]);
        Assert.Equal(16, manifest.MaxPages);
        Assert.Equal(4096, manifest.MaxVariableBytes);
        Assert.Equal(1500, manifest.TimeoutMs);
        Assert.Equal(["example.org"], manifest.AllowedHosts);
        Assert.Equal([new PluginPathGrant("/tmp", "/data", false)], manifest.AllowedPaths);
        Assert.Equal(1024, manifest.MaxHttpResponseBytes);
    }

    [Fact]
    public void AllowedPathsReadOnlyUnlessRwPrefix()
    {
        string json = """{"allowed_paths":{"/tmp":"/a","ro:/tmp":"/b","rw:/tmp":"/c"}}""";

        PluginManifest manifest = PluginManifest.Parse(json);

        Assert.Equal(
            [new PluginPathGrant("/tmp", "/a", false), new PluginPathGrant("/tmp", "/b", false), new PluginPathGrant("/tmp", "/c", true)],
            manifest.AllowedPaths);
    }

    [Fact]
    public void MissingSandboxFieldsGrantNothing()
    {
        PluginManifest manifest = PluginManifest.Parse("""{"allowed_hosts":null,"allowed_paths":null}""");

        Assert.Empty(manifest.AllowedHosts);
        Assert.Empty(manifest.AllowedPaths);
        Assert.Equal(0, manifest.MaxHttpResponseBytes);
    }

    [Fact]
    public void EmptyObjectGivesNoLimits()
    {
        PluginManifest manifest = PluginManifest.Parse("{}");

        Assert.Null(manifest.Name);
        Assert.Null(manifest.Hash);
        Assert.Empty(manifest.Config);
        Assert.Equal(0, manifest.MaxPages);
        Assert.Equal(0, manifest.MaxVariableBytes);
        Assert.Equal(0, manifest.TimeoutMs);
    }

    [Fact]
    public void CapabilitiesParseInOrder()
    {
        PluginManifest manifest = PluginManifest.Parse("""{"capabilities":["image_processing","resize"]}""");

        Assert.Equal(["image_processing", "resize"], manifest.Capabilities);
    }

    [Theory]
    [InlineData("""{"capabilities":"image_processing"}""")]
    [InlineData("""{"capabilities":[""]}""")]
    [InlineData("""{"capabilities":[3]}""")]
    public void BadCapabilitiesAreInvalid(string json)
    {
        var error = Assert.Throws<AgentException>(() => PluginManifest.Parse(json));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("capabilities", error.Message);
    }

    [Fact]
    public void TopLevelNameWinsOverModuleName()
    {
        PluginManifest manifest = PluginManifest.Parse("""{"name":"outer","wasm":[{"name":"inner"}]}""");

        Assert.Equal("outer", manifest.Name);
    }

    [Fact]
    public void ModuleNameMainIsNoName()
    {
        PluginManifest manifest = PluginManifest.Parse("""{"wasm":[{"path":"x.wasm","name":"main"}]}""");

        Assert.Null(manifest.Name);
    }

    [Theory]
    [InlineData("{\"wasm\": [", "plugin manifest is invalid: ")]
    [InlineData("not json", "plugin manifest is invalid: ")]
    [InlineData("[1, 2]", "the top level must be an object")]
    [InlineData("\"counter\"", "the top level must be an object")]
    [InlineData("{\"wasm\":[{\"path\":\"a.wasm\"},{\"path\":\"b.wasm\"}]}", "\"wasm\" must be an array with exactly one module")]
    [InlineData("{\"wasm\":[]}", "\"wasm\" must be an array with exactly one module")]
    [InlineData("{\"config\":{\"port\":8080}}", "config value \"port\" must be a string")]
    [InlineData("{\"config\":[\"a\"]}", "\"config\" must be an object of strings")]
    [InlineData("{\"memory\":{\"max_pages\":-1}}", "\"max_pages\" must be a non-negative integer")]
    [InlineData("{\"memory\":{\"max_pages\":1.5}}", "\"max_pages\" must be a non-negative integer")]
    [InlineData("{\"memory\":{\"max_var_bytes\":\"big\"}}", "\"max_var_bytes\" must be a non-negative integer")]
    [InlineData("{\"timeout_ms\":-5}", "\"timeout_ms\" must be a non-negative integer")]
    [InlineData("{\"allowed_hosts\":\"example.com\"}", "\"allowed_hosts\" must be an array of host names")]
    [InlineData("{\"allowed_hosts\":[\"\"]}", "\"allowed_hosts\" must contain only non-empty strings")]
    [InlineData("{\"allowed_paths\":[\"/tmp\"]}", "\"allowed_paths\" must be an object")]
    [InlineData("{\"allowed_paths\":{\"tmp\":\"/data\"}}", "host directory \"tmp\" is not an absolute path")]
    [InlineData("{\"allowed_paths\":{\"rw:/no/such/dir/mcpzero\":\"/data\"}}", "host directory \"/no/such/dir/mcpzero\" does not exist")]
    [InlineData("{\"allowed_paths\":{\"/tmp\":\"\"}}", "guest path of \"/tmp\" must be a non-empty string")]
    [InlineData("{\"memory\":{\"max_http_response_bytes\":-1}}", "\"max_http_response_bytes\" must be a non-negative integer")]
    public void InvalidManifestIsInvalidArgument(string json, string expectedMessagePart)
    {
        AgentException error = Assert.Throws<AgentException>(() => PluginManifest.Parse(json));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.StartsWith("plugin manifest is invalid: ", error.Message);
        Assert.Contains(expectedMessagePart, error.Message);
    }

    [Fact]
    public void InvalidJsonMessageNamesPosition()
    {
        AgentException error = Assert.Throws<AgentException>(() => PluginManifest.Parse("{\"config\": }"));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("LineNumber", error.Message);
    }

    [Fact]
    public void ExportsAcceptNamesAndObjects()
    {
        PluginManifest manifest = PluginManifest.Parse("""
            {"exports": ["greet", {"name": "count", "cacheable": true}, {"name": "reset", "cacheable": false}, {"name": "noop"}]}
            """);

        Assert.Equal(["greet", "count", "reset", "noop"], manifest.DeclaredExports);
        Assert.Equal(["count"], manifest.CacheableExports);
    }

    [Fact]
    public void ExportsMissingGiveEmptyLists()
    {
        PluginManifest manifest = PluginManifest.Parse("{}");

        Assert.Empty(manifest.DeclaredExports);
        Assert.Empty(manifest.CacheableExports);
    }

    [Theory]
    [InlineData("""{"exports": "greet"}""", "must be an array")]
    [InlineData("""{"exports": [""]}""", "non-empty method names")]
    [InlineData("""{"exports": [3]}""", "non-empty method names")]
    [InlineData("""{"exports": [{"cacheable": true}]}""", "non-empty string \"name\"")]
    [InlineData("""{"exports": [{"name": "greet", "cacheable": "yes"}]}""", "must be true or false")]
    [InlineData("""{"exports": ["greet", {"name": "greet"}]}""", "listed twice")]
    public void ExportsRejectInvalidEntries(string json, string reason)
    {
        AgentException exception = Assert.Throws<AgentException>(() => PluginManifest.Parse(json));

        Assert.Equal(ErrorCode.InvalidArgument, exception.Code);
        Assert.Contains(reason, exception.Message);
    }
}
