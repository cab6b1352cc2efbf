using System.Numerics;

namespace McpZero.Storage.Internal;

/// <summary>Checks <see cref="StateStoreOptions"/> sizes and converts them to FASTER's bit counts.</summary>
internal static class StoreGeometry
{
    // FASTER addresses are 48 bits, and a page below 4 KiB is smaller than the disk sector it is written to.
    private const int MinBits = 12;
    private const int MaxBits = 40;

    public static void Validate(StateStoreOptions options)
    {
        RequirePowerOfTwo(options.PageBytes, nameof(StateStoreOptions.PageBytes));
        RequirePowerOfTwo(options.MemoryBytes, nameof(StateStoreOptions.MemoryBytes));
        RequirePowerOfTwo(options.SegmentBytes, nameof(StateStoreOptions.SegmentBytes));
        if (options.IndexBuckets < 64 || !BitOperations.IsPow2(options.IndexBuckets))
        {
            throw new ArgumentOutOfRangeException(
                nameof(StateStoreOptions.IndexBuckets), options.IndexBuckets,
                $"IndexBuckets is {options.IndexBuckets}; use a power of two of at least 64");
        }

        if (options.MemoryBytes < 2 * options.PageBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(StateStoreOptions.MemoryBytes), options.MemoryBytes,
                $"MemoryBytes ({options.MemoryBytes}) must hold at least two pages of {options.PageBytes} bytes; raise MemoryBytes or lower PageBytes");
        }

        if (options.SegmentBytes < options.PageBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(StateStoreOptions.SegmentBytes), options.SegmentBytes,
                $"SegmentBytes ({options.SegmentBytes}) is smaller than one page of {options.PageBytes} bytes; raise SegmentBytes");
        }
    }

    public static int Bits(long bytes) => BitOperations.Log2((ulong)bytes);

    private static void RequirePowerOfTwo(long value, string name)
    {
        if (value > 0 && BitOperations.IsPow2(value) && Bits(value) is >= MinBits and <= MaxBits)
        {
            return;
        }

        throw new ArgumentOutOfRangeException(
            name, value,
            $"{name} is {value}; use a power of two between {1L << MinBits} and {1L << MaxBits} bytes");
    }
}
