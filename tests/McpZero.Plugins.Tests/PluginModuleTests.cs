using System.Buffers.Binary;

namespace McpZero.Plugins.Tests;

public sealed class PluginModuleTests
{
    [Fact]
    public void InvalidBytes_RejectedWithReason()
    {
        using var fixture = new EngineFixture();
        byte[] garbage = [0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00, 0xff];

        PluginException error = Assert.Throws<PluginException>(() => fixture.Engine.Load(TestModules.Sha256(garbage), garbage));

        Assert.Equal(PluginErrorKind.InvalidModule, error.Kind);
        Assert.Equal("unknown binary version: 0x2 (at offset 0x4)", error.Message);
        Assert.Equal(0, fixture.Engine.ModulesCompiled);
    }

    [Theory]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00 }, "magic header not detected: bad magic number (at offset 0x0)")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05 }, "unexpected end-of-file (at offset 0xa)")]
    public void InvalidBytes_ReasonOnOneLine(byte[] bytes, string expected)
    {
        using var fixture = new EngineFixture();
        string sha256 = TestModules.Sha256(bytes);

        PluginException error = Assert.Throws<PluginException>(() => fixture.Engine.Load(sha256, bytes));

        Assert.Equal(PluginErrorKind.InvalidModule, error.Kind);
        Assert.Equal(expected, error.Message);
        Assert.DoesNotContain(sha256[..12], error.Message);
    }

    [Fact]
    public void WrongSha256_Rejected()
    {
        using var fixture = new EngineFixture();
        byte[] wasm = TestModules.Wasm("abi");
        string otherSha = new('a', 64);

        PluginException error = Assert.Throws<PluginException>(() => fixture.Engine.Load(otherSha, wasm));

        Assert.Equal(PluginErrorKind.InvalidModule, error.Kind);
        Assert.Contains(TestModules.Sha256(wasm), error.Message);
    }

    [Fact]
    public void MalformedSha256_Rejected()
    {
        using var fixture = new EngineFixture();
        byte[] wasm = TestModules.Wasm("abi");

        Assert.Throws<ArgumentException>(() => fixture.Engine.Load("../../etc/passwd", wasm));
    }

    [Fact]
    public void UnknownImport_FailsLinking()
    {
        using var fixture = new EngineFixture();

        PluginException error = Assert.Throws<PluginException>(() => fixture.Load("user_import"));

        Assert.Equal(PluginErrorKind.Linking, error.Kind);
        Assert.Contains("extism:host/user", error.Message);
        Assert.Contains("lookup", error.Message);
    }

    [Fact]
    public void Compile_ListsExports()
    {
        using var fixture = new EngineFixture();
        byte[] wasm = TestModules.Wasm("reactor");

        using PluginModule module = fixture.Engine.Compile(TestModules.Sha256(wasm), wasm);

        Assert.Equal(["get"], module.Exports);
    }

    [Fact]
    public void Cache_ReusedByNextEngine()
    {
        string directory = Path.Combine(Path.GetTempPath(), "mcpzero-plugin-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = new EngineFixture(cacheDirectory: directory))
            using (first.Load("abi"))
            {
                Assert.Equal(1, first.Engine.ModulesCompiled);
                Assert.Equal(0, first.Engine.ModulesLoadedFromCache);
            }

            Assert.Single(Directory.GetFiles(directory, "*.cwasm"));

            using var second = new EngineFixture(cacheDirectory: directory);
            using PluginModule module = second.Load("abi");

            Assert.Equal(0, second.Engine.ModulesCompiled);
            Assert.Equal(1, second.Engine.ModulesLoadedFromCache);
            PluginCallResult result = second.Engine.Call(module, EngineFixture.Call("echo", input: [4, 5]));
            Assert.Equal(new byte[] { 4, 5 }, result.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public void CorruptCache_Recompiled(string damage)
    {
        string directory = Path.Combine(Path.GetTempPath(), "mcpzero-plugin-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = new EngineFixture(cacheDirectory: directory))
            using (first.Load("abi"))
            {
            }

            string entry = Assert.Single(Directory.GetFiles(directory, "*.cwasm"));
            byte[] bytes = File.ReadAllBytes(entry);
            switch (damage)
            {
                case "flip":
                    bytes[bytes.Length / 2] ^= 0xff;
                    File.WriteAllBytes(entry, bytes);
                    break;
                case "truncate":
                    File.WriteAllBytes(entry, bytes[..(bytes.Length / 3)]);
                    break;
                default:
                    File.WriteAllBytes(entry, []);
                    break;
            }

            using var second = new EngineFixture(cacheDirectory: directory);
            using PluginModule module = second.Load("abi");

            Assert.Equal(1, second.Engine.ModulesCompiled);
            Assert.Equal(0, second.Engine.ModulesLoadedFromCache);
            Assert.Equal(new byte[] { 6 }, second.Engine.Call(module, EngineFixture.Call("echo", input: [6])).Output);

            using var third = new EngineFixture(cacheDirectory: directory);
            using PluginModule again = third.Load("abi");
            Assert.Equal(1, third.Engine.ModulesLoadedFromCache);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Command_FreshInstanceEveryCall()
    {
        using var fixture = new EngineFixture();
        using PluginModule module = fixture.Load("command");

        Assert.True(module.IsCommand);
        for (int i = 0; i < 3; i++)
        {
            byte[] output = fixture.Engine.Call(module, EngineFixture.Call("_start")).Output;
            Assert.Equal(1, BinaryPrimitives.ReadInt64LittleEndian(output));
        }
    }

    [Fact]
    public void Reactor_InitialisedOnce()
    {
        using var fixture = new EngineFixture();
        using PluginModule module = fixture.Load("reactor");

        for (int i = 0; i < 3; i++)
        {
            byte[] output = fixture.Engine.Call(module, EngineFixture.Call("get")).Output;
            Assert.Equal(1, BinaryPrimitives.ReadInt64LittleEndian(output));
        }
    }

    [Fact]
    public void LoadUnload_StaysUsable()
    {
        using var fixture = new EngineFixture();
        byte[] wasm = TestModules.Wasm("abi");
        string sha = TestModules.Sha256(wasm);

        for (int i = 0; i < 200; i++)
        {
            using PluginModule module = fixture.Engine.Load(sha, wasm);
            fixture.Engine.Call(module, EngineFixture.Call("echo", input: [1]));
            fixture.Engine.Unload(module);
        }

        Assert.Equal(1, fixture.Engine.ModulesCompiled);
        Assert.Equal(199, fixture.Engine.ModulesLoadedFromCache);
    }

    [Fact]
    public void DisposedModule_Rejected()
    {
        using var fixture = new EngineFixture();
        PluginModule module = fixture.Load("abi");
        module.Dispose();

        Assert.Throws<ObjectDisposedException>(() => fixture.Engine.Call(module, EngineFixture.Call("echo")));
    }

    [Fact]
    public void WasmtimeVersion_MatchesPackage()
    {
        Assert.Equal("50.0.1", PluginEngine.WasmtimeVersion);
    }
}
