using System.IO.Compression;
using System.Xml.Linq;

namespace McpZero.IntegrationTests;

/// <summary>The NuGet packages that `make pack` writes to out/packages.</summary>
public sealed class NuGetPackageTests
{
    [Fact]
    public void ClientPackageHasLibraryDocsAndReadme()
    {
        using ZipArchive package = OpenPackage("McpZero.Client");

        Assert.NotNull(package.GetEntry("lib/net10.0/McpZero.Client.dll"));
        Assert.NotNull(package.GetEntry("lib/net10.0/McpZero.Client.xml"));
        ZipArchiveEntry readme = Assert.IsType<ZipArchiveEntry>(package.GetEntry("README.md"));
        using (var reader = new StreamReader(readme.Open()))
        {
            Assert.Contains("## Quick start", reader.ReadToEnd());
        }

        XElement metadata = ReadMetadata(package);
        Assert.Equal("McpZero.Client", Value(metadata, "id"));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));
        Assert.Contains("client", Value(metadata, "tags"));
        XElement dependency = Assert.Single(metadata.Descendants(), element => element.Name.LocalName == "dependency");
        Assert.Equal("McpZero.Protocol", dependency.Attribute("id")?.Value);
    }

    [Fact]
    public void ProtocolPackageHasLibraryAndReadme()
    {
        using ZipArchive package = OpenPackage("McpZero.Protocol");

        Assert.NotNull(package.GetEntry("lib/net10.0/McpZero.Protocol.dll"));
        Assert.NotNull(package.GetEntry("lib/net10.0/McpZero.Protocol.xml"));
        Assert.NotNull(package.GetEntry("README.md"));
        XElement metadata = ReadMetadata(package);
        Assert.Contains(metadata.Descendants(), element => element.Name.LocalName == "dependency" && element.Attribute("id")?.Value == "MemoryPack");
    }

    private static ZipArchive OpenPackage(string id)
    {
        string folder = Environment.GetEnvironmentVariable("MCPZERO_PACKAGES") ?? Path.Combine(Path.GetDirectoryName(TestPaths.Binary)!, "..", "packages");
        string[] found = Directory.Exists(folder) ? Directory.GetFiles(folder, id + ".*.nupkg") : [];
        string path = found.Length == 1
            ? found[0]
            : throw new FileNotFoundException($"expected one {id} package in '{folder}' but found {found.Length}; build them with `make pack`");
        return ZipFile.OpenRead(path);
    }

    private static XElement ReadMetadata(ZipArchive package)
    {
        ZipArchiveEntry nuspec = package.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        XDocument document = XDocument.Load(stream);
        return document.Descendants().Single(element => element.Name.LocalName == "metadata");
    }

    private static string Value(XElement metadata, string name) =>
        metadata.Elements().FirstOrDefault(element => element.Name.LocalName == name)?.Value ?? "";
}
