using System.Formats.Tar;
using McpZero.Agents;
using McpZero.Agents.Trust;
using McpZero.Protocol;

namespace McpZero.UnitTests.Agents;

public sealed class PluginManifestBundleTests
{
    [Fact]
    public void BundleFieldsParse()
    {
        PluginManifest manifest = PluginManifest.Parse("""
            {
              "name": "counter",
              "version": "1.2.0-rc.1",
              "description": "Counts calls",
              "exports": ["count", { "name": "reset", "cacheable": true }],
              "capabilities": ["vars", "log"]
            }
            """);

        Assert.Equal("counter", manifest.Name);
        Assert.Equal("1.2.0-rc.1", manifest.Version);
        Assert.Equal("Counts calls", manifest.Description);
        Assert.Equal(["count", "reset"], manifest.DeclaredExports);
        Assert.Equal(["vars", "log"], manifest.Capabilities);
    }

    [Fact]
    public void ManifestWithoutBundleFieldsIsUnversioned()
    {
        PluginManifest manifest = PluginManifest.Parse("""{"wasm":[{"path":"x.wasm"}]}""");

        Assert.Null(manifest.Version);
        Assert.Null(manifest.Description);
        Assert.Empty(manifest.DeclaredExports);
    }

    [Theory]
    [InlineData("""{"version":"1.0"}""", "plugin version '1.0' is invalid")]
    [InlineData("""{"version":1}""", "\"version\" must be a string")]
    [InlineData("""{"exports":"count"}""", "\"exports\" must be an array")]
    [InlineData("""{"exports":[7]}""", "non-empty method name")]
    [InlineData("""{"exports":[{"cacheable":true}]}""", "needs a non-empty string \"name\"")]
    [InlineData("""{"exports":["count","count"]}""", "export \"count\" is listed twice")]
    public void InvalidBundleFieldIsRejected(string json, string expected)
    {
        AgentException error = Assert.Throws<AgentException>(() => PluginManifest.Parse(json));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void TarBundleReadsFromOneFolderLevel()
    {
        string directory = Path.Combine(Path.GetTempPath(), "mz-tar-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        try
        {
            string tar = Path.Combine(directory, "counter.tar");
            using (FileStream stream = File.Create(tar))
            using (var writer = new TarWriter(stream))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "counter/"));
                WriteFile(writer, "counter/manifest.json", """{"name":"counter","version":"1.0.0"}"""u8.ToArray());
                WriteFile(writer, "counter/plugin.wasm", [0x00, 0x61, 0x73, 0x6D]);
                WriteFile(writer, "counter/signature.bin", [0x01]);
                WriteFile(writer, "counter/notes.txt", [0x02]);
            }

            PluginBundle bundle = PluginBundle.Read(tar);

            Assert.Equal([0x00, 0x61, 0x73, 0x6D], bundle.Module);
            Assert.Equal([0x01], bundle.Signature);
            Assert.Null(bundle.Readme);
            Assert.Equal(("counter", "1.0.0"), bundle.ReadIdentity());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void BundleWithoutModuleIsRejected()
    {
        string directory = Path.Combine(Path.GetTempPath(), "mz-bundle-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "manifest.json"), "{}");

            AgentException error = Assert.Throws<AgentException>(() => PluginBundle.Read(directory));

            Assert.Contains("has no plugin.wasm", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void IdentityNeedsNameAndVersion()
    {
        var bundle = new PluginBundle { Manifest = """{"name":"counter"}"""u8.ToArray(), Module = [0x00] };

        AgentException error = Assert.Throws<AgentException>(() => bundle.ReadIdentity());

        Assert.Contains("needs a \"name\" and a \"version\"", error.Message);
    }

    [Fact]
    public void IdentityRejectsOtherModuleHash()
    {
        var bundle = new PluginBundle
        {
            Manifest = """{"name":"counter","version":"1.0.0","wasm":[{"path":"plugin.wasm","hash":"00"}]}"""u8.ToArray(),
            Module = [0x00],
        };

        AgentException error = Assert.Throws<AgentException>(() => bundle.ReadIdentity());

        Assert.Equal(ErrorCode.InvalidModule, error.Code);
        Assert.Contains("says 00", error.Message);
        Assert.Contains(BundleSignature.HashOf([0x00]), error.Message);
    }

    private static void WriteFile(TarWriter writer, string name, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        writer.WriteEntry(entry);
    }
}
