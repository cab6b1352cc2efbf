using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using McpZero.Protocol;

namespace McpZero.UnitTests.Protocol;

public sealed class FrameCompressionTests
{
    private static readonly byte[] Compressible = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"sensor\":\"s-1\",\"ok\":true}", 400)));

    [Fact]
    public void BodyAboveThresholdRoundTrips()
    {
        (FrameHeader header, ReadOnlySequence<byte> body) = Write(Compressible, CompressionCodec.Lz4, thresholdBytes: 1024);

        Assert.True((header.Flags & FrameFlags.Compressed) != 0);
        Assert.True(header.BodyLength < Compressible.Length / 4, $"compressed to {header.BodyLength} bytes");
        Assert.True(FrameCompression.TryDecodeBody(header, body, CompressionCodec.Lz4, (uint)Compressible.Length, out ReadOnlySequence<byte> payload, out byte[]? rented, out _));
        Assert.Equal(Compressible, payload.ToArray());
        ArrayPool<byte>.Shared.Return(rented!);
    }

    [Fact]
    public void BodyAtThresholdStaysPlain()
    {
        (FrameHeader header, ReadOnlySequence<byte> body) = Write(Compressible, CompressionCodec.Lz4, thresholdBytes: Compressible.Length);

        Assert.Equal(FrameFlags.Response, header.Flags);
        Assert.Equal(Compressible, body.ToArray());
    }

    [Fact]
    public void IncompressibleBodyStaysPlain()
    {
        byte[] random = new byte[8192];
        new Random(7).NextBytes(random);

        (FrameHeader header, ReadOnlySequence<byte> body) = Write(random, CompressionCodec.Lz4, thresholdBytes: 0);

        Assert.Equal(FrameFlags.Response, header.Flags);
        Assert.Equal(random, body.ToArray());
    }

    [Fact]
    public void DeclaredLengthOverLimitIsRejected()
    {
        (FrameHeader header, ReadOnlySequence<byte> body) = Write(Compressible, CompressionCodec.Lz4, thresholdBytes: 0);

        bool decoded = FrameCompression.TryDecodeBody(header, body, CompressionCodec.Lz4, (uint)Compressible.Length - 1, out _, out byte[]? rented, out FrameError error);

        Assert.False(decoded);
        Assert.Null(rented);
        Assert.Equal(ErrorCode.PayloadTooLarge, error.Code);
    }

    [Fact]
    public void UnderstatedLengthIsRejected()
    {
        (FrameHeader header, ReadOnlySequence<byte> body) = Write(Compressible, CompressionCodec.Lz4, thresholdBytes: 0);
        byte[] tampered = body.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(tampered, 100);

        bool decoded = FrameCompression.TryDecodeBody(header, new ReadOnlySequence<byte>(tampered), CompressionCodec.Lz4, uint.MaxValue, out _, out _, out FrameError error);

        Assert.False(decoded);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Contains("declared 100 bytes", error.Message);
    }

    [Fact]
    public void CompressedFrameWithoutCodecIsRejected()
    {
        (FrameHeader header, ReadOnlySequence<byte> body) = Write(Compressible, CompressionCodec.Lz4, thresholdBytes: 0);

        bool decoded = FrameCompression.TryDecodeBody(header, body, CompressionCodec.None, uint.MaxValue, out _, out _, out FrameError error);

        Assert.False(decoded);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
    }

    [Fact]
    public void CodecChoiceFollowsServerSetting()
    {
        Assert.Equal(CompressionCodec.Lz4, CompressionCodecNames.Choose(["zstd", "LZ4"], CompressionCodec.Lz4));
        Assert.Equal(CompressionCodec.None, CompressionCodecNames.Choose(["zstd"], CompressionCodec.Lz4));
        Assert.Equal(CompressionCodec.None, CompressionCodecNames.Choose(["lz4"], CompressionCodec.None));
        Assert.Equal(CompressionCodec.None, CompressionCodecNames.Choose(null, CompressionCodec.Lz4));
    }

    private static (FrameHeader Header, ReadOnlySequence<byte> Body) Write(byte[] body, CompressionCodec codec, int thresholdBytes)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameCompression.WriteFrame(output, FrameFlags.Response, 22, 5, body, codec, thresholdBytes);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.Equal(FrameReadStatus.Complete, FrameReader.TryRead(ref buffer, uint.MaxValue, out FrameHeader header, out ReadOnlySequence<byte> frameBody, out _));
        Assert.True(buffer.IsEmpty);
        return (header, frameBody);
    }
}
