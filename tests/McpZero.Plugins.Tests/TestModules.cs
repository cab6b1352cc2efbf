using System.Security.Cryptography;
using McpZero.Plugins.Internal;

namespace McpZero.Plugins.Tests;

/// <summary>
/// The .wat test modules beside the tests, converted to binary WebAssembly.
/// </summary>
internal static class TestModules
{
    public static byte[] Wasm(string name)
    {
        WasmtimeNativeLibrary.EnsureLoaded();
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Modules", name + ".wat"));
        return Wasmtime.Module.ConvertText(text);
    }

    public static string Sha256(byte[] wasm)
    {
        return Convert.ToHexStringLower(SHA256.HashData(wasm));
    }
}
