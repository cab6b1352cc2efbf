using System.Runtime.InteropServices;

namespace McpZero.Plugins.Internal;

/// <summary>
/// Gives freed native heap memory back to the kernel. Cranelift allocates several megabytes with
/// malloc while it compiles a module and frees them afterwards, but glibc keeps freed chunks in its
/// arenas, so without a trim that memory stays resident for the life of the daemon.
/// </summary>
internal static partial class NativeHeap
{
    private static int s_unavailable;

    /// <summary>
    /// Calls glibc's <c>malloc_trim(0)</c>, which releases free memory at the top of every arena and
    /// the free pages inside them. Does nothing on a C library without it (musl).
    /// </summary>
    public static void Trim()
    {
        if (Volatile.Read(ref s_unavailable) != 0)
        {
            return;
        }

        try
        {
            MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, 1);
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
