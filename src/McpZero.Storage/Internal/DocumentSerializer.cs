using System.Buffers;
using MemoryPack;

namespace McpZero.Storage.Internal;

/// <summary>
/// MemoryPack serialization through the static members of <see cref="IMemoryPackable{T}"/>.
/// </summary>
/// <remarks>
/// Calling the generated members directly needs no formatter lookup for <typeparamref name="T"/> and no
/// reflection annotations, so it stays trim and AOT clean; nested types still use their registered
/// formatters.
/// </remarks>
internal static class DocumentSerializer<T>
    where T : IMemoryPackable<T>
{
    public static byte[] Serialize(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var state = MemoryPackWriterOptionalStatePool.Rent(MemoryPackSerializerOptions.Default);
        var writer = new MemoryPackWriter<ArrayBufferWriter<byte>>(ref buffer, state);
        T.Serialize(ref writer, ref value!);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="buffer"/>, which the caller clears and reuses.</summary>
    public static void Serialize(T value, ArrayBufferWriter<byte> buffer)
    {
        using var state = MemoryPackWriterOptionalStatePool.Rent(MemoryPackSerializerOptions.Default);
        var writer = new MemoryPackWriter<ArrayBufferWriter<byte>>(ref buffer, state);
        T.Serialize(ref writer, ref value!);
        writer.Flush();
    }

    public static T? Deserialize(ReadOnlySpan<byte> bytes)
    {
        using var state = MemoryPackReaderOptionalStatePool.Rent(MemoryPackSerializerOptions.Default);
        var reader = new MemoryPackReader(bytes, state);
        try
        {
            T? value = default;
            T.Deserialize(ref reader, ref value);
            return value;
        }
        finally
        {
            reader.Dispose();
        }
    }
}
