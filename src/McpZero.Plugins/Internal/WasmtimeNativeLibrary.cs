using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace McpZero.Plugins.Internal;

/// <summary>
/// Loads the libwasmtime.so embedded in this assembly (stripped and Brotli-compressed at build time)
/// from an anonymous in-memory file, so the product is a single file with no native library beside it.
/// </summary>
internal static partial class WasmtimeNativeLibrary
{
    /// <summary>Logical name of the embedded resource, set in McpZero.Plugins.csproj.</summary>
    internal const string ResourceName = "libwasmtime.so.br";

    // The library name wasmtime-dotnet passes to [DllImport].
    private const string WasmtimeLibraryName = "wasmtime";

    private const uint MemfdCloexec = 0x1;

    private static readonly Lock s_lock = new();
    private static IntPtr s_handle;

    /// <summary>The handle of the loaded library; zero until <see cref="EnsureLoaded"/> succeeded.</summary>
    internal static IntPtr Handle => Volatile.Read(ref s_handle);

    /// <summary>
    /// Decompresses and loads the embedded library and routes Wasmtime's P/Invokes to it. Runs once;
    /// later calls return at once. Must run before the first Wasmtime call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The resource is missing or the library failed to load.</exception>
    internal static void EnsureLoaded()
    {
        if (Volatile.Read(ref s_handle) != IntPtr.Zero)
        {
            return;
        }

        lock (s_lock)
        {
            if (s_handle != IntPtr.Zero)
            {
                return;
            }

            IntPtr handle = LoadFromResource();
            NativeLibrary.SetDllImportResolver(typeof(Wasmtime.Engine).Assembly, Resolve);
            Volatile.Write(ref s_handle, handle);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        bool isWasmtime = libraryName is WasmtimeLibraryName or "libwasmtime" or "libwasmtime.so";
        return isWasmtime ? Volatile.Read(ref s_handle) : IntPtr.Zero;
    }

    private static IntPtr LoadFromResource()
    {
        using Stream? compressed = typeof(WasmtimeNativeLibrary).Assembly.GetManifestResourceStream(ResourceName);
        if (compressed is null)
        {
            throw new InvalidOperationException(
                $"The embedded resource '{ResourceName}' is missing from McpZero.Plugins; rebuild the project on linux-x64 so the build embeds libwasmtime.so.");
        }

        int fd = MemfdCreate("libwasmtime.so", MemfdCloexec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException(
                $"memfd_create failed with errno {errno} while loading libwasmtime.so; the kernel must be Linux 3.17 or later and allow memfd_create.");
        }

        // dlopen maps the file, so the descriptor is closed (by disposing the stream) once the library is loaded.
        using var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
        using (var decoder = new BrotliStream(compressed, CompressionMode.Decompress))
        {
            decoder.CopyTo(file, 1 << 20);
        }

        file.Flush();
        string path = $"/proc/self/fd/{fd}";
        if (!NativeLibrary.TryLoad(path, out IntPtr library))
        {
            throw new InvalidOperationException(
                $"Loading the embedded libwasmtime.so from {path} failed; check that /proc is mounted and that the process may map memfd files as executable.");
        }

        return library;
    }

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);
}
