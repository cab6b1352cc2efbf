using System.Buffers;
using McpZero.Protocol;

namespace McpZero.UnitTests.Protocol;

public sealed class FrameReaderTests
{
    private const uint Limit = FrameReader.DefaultMaxBodyBytes;

    [Fact]
    public void TwoWholeFramesInOneBuffer()
    {
        byte[] first = Frame(11, 3, [1, 2, 3]);
        byte[] second = Frame(12, 4, [4, 5, 6, 7, 8]);
        var buffer = new ReadOnlySequence<byte>([.. first, .. second]);

        FrameReadStatus firstStatus = FrameReader.TryRead(ref buffer, Limit, out FrameHeader firstHeader, out ReadOnlySequence<byte> firstBody, out _);
        Assert.Equal(FrameReadStatus.Complete, firstStatus);
        Assert.Equal(11u, firstHeader.RequestId);
        Assert.Equal((ushort)3, firstHeader.MessageType);
        Assert.Equal(new byte[] { 1, 2, 3 }, firstBody.ToArray());
        Assert.Equal(second.Length, buffer.Length);

        FrameReadStatus secondStatus = FrameReader.TryRead(ref buffer, Limit, out FrameHeader secondHeader, out ReadOnlySequence<byte> secondBody, out _);
        Assert.Equal(FrameReadStatus.Complete, secondStatus);
        Assert.Equal(12u, secondHeader.RequestId);
        Assert.Equal((ushort)4, secondHeader.MessageType);
        Assert.Equal(new byte[] { 4, 5, 6, 7, 8 }, secondBody.ToArray());
        Assert.True(buffer.IsEmpty);

        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Limit, out _, out _, out _));
    }

    [Fact]
    public void EmptyBodyFrameIsComplete()
    {
        var buffer = new ReadOnlySequence<byte>(Frame(5, 2, []));

        FrameReadStatus status = FrameReader.TryRead(ref buffer, Limit, out FrameHeader header, out ReadOnlySequence<byte> body, out _);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(0u, header.BodyLength);
        Assert.True(body.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void FrameSplitAtEveryPointAcrossSegments()
    {
        byte[] body = Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray();
        byte[] frame = Frame(99, 24, body);

        for (int split = 1; split < frame.Length; split++)
        {
            ReadOnlySequence<byte> buffer = SegmentedSequence.Create(frame, split);
            Assert.False(buffer.IsSingleSegment);

            FrameReadStatus status = FrameReader.TryRead(ref buffer, Limit, out FrameHeader header, out ReadOnlySequence<byte> read, out _);

            Assert.Equal(FrameReadStatus.Complete, status);
            Assert.Equal(99u, header.RequestId);
            Assert.Equal(body, read.ToArray());
            Assert.True(buffer.IsEmpty, $"split at {split} left {buffer.Length} bytes");
        }
    }

    [Fact]
    public void FrameWithOneBytePerSegment()
    {
        byte[] body = [10, 20, 30, 40, 50];
        ReadOnlySequence<byte> buffer = SegmentedSequence.OneBytePerSegment(Frame(3, 1, body));

        FrameReadStatus status = FrameReader.TryRead(ref buffer, Limit, out FrameHeader header, out ReadOnlySequence<byte> read, out _);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(3u, header.RequestId);
        Assert.Equal(body, read.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void GrowingPrefixIsIncompleteUntilWhole()
    {
        byte[] body = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        byte[] frame = Frame(42, 10, body);

        for (int length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            SequencePosition start = buffer.Start;

            FrameReadStatus status = FrameReader.TryRead(ref buffer, Limit, out _, out _, out _);

            Assert.Equal(FrameReadStatus.Incomplete, status);
            Assert.Equal(length, buffer.Length);
            Assert.Equal(start, buffer.Start);
        }

        var whole = new ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameReadStatus.Complete, FrameReader.TryRead(ref whole, Limit, out _, out ReadOnlySequence<byte> read, out _));
        Assert.Equal(body, read.ToArray());
    }

    [Fact]
    public void BadFirstByteRejectedBeforeWholeHeader()
    {
        var buffer = new ReadOnlySequence<byte>([(byte)'X', (byte)'Z', 1]);

        FrameReadStatus status = FrameReader.TryRead(ref buffer, Limit, out _, out _, out FrameError error);

        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Contains("'MZ'", error.Message);
        Assert.Equal(0u, error.RequestId);
    }

    [Fact]
    public void BadSecondByteRejectedOnceHeaderArrives()
    {
        byte[] frame = Frame(1, 1, []);
        frame[1] = (byte)'X';

        var partial = new ReadOnlySequence<byte>(frame, 0, FrameHeader.Size - 1);
        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref partial, Limit, out _, out _, out _));

        var whole = new ReadOnlySequence<byte>(frame);
        FrameReadStatus status = FrameReader.TryRead(ref whole, Limit, out _, out _, out FrameError error);
        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Contains("'MZ'", error.Message);
    }

    [Fact]
    public void UnsupportedVersionIsRejected()
    {
        byte[] frame = new byte[FrameHeader.Size];
        new FrameHeader(2, FrameFlags.None, 1, 77, 0).Write(frame);
        var buffer = new ReadOnlySequence<byte>(frame);

        FrameReadStatus status = FrameReader.TryRead(ref buffer, Limit, out _, out _, out FrameError error);

        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.UnsupportedVersion, error.Code);
        Assert.Equal(77u, error.RequestId);
        Assert.Contains("version 2", error.Message);
        Assert.Equal(FrameHeader.Size, buffer.Length);
    }

    [Fact]
    public void BodyOverLimitIsFrameTooLarge()
    {
        const uint limit = 1024;
        byte[] header = new byte[FrameHeader.Size];
        new FrameHeader(FrameHeader.CurrentVersion, FrameFlags.None, 1, 31, limit + 1).Write(header);

        // Only the header has arrived: the size check must not wait for a body it will reject.
        var buffer = new ReadOnlySequence<byte>(header);
        FrameReadStatus status = FrameReader.TryRead(ref buffer, limit, out _, out _, out FrameError error);

        Assert.Equal(FrameReadStatus.Invalid, status);
        Assert.Equal(ErrorCode.FrameTooLarge, error.Code);
        Assert.Equal(31u, error.RequestId);
        Assert.Contains("1024 bytes", error.Message);
        Assert.Contains("1025 bytes", error.Message);
    }

    [Fact]
    public void BodyAtLimitIsAccepted()
    {
        const uint limit = 64;
        byte[] frame = Frame(8, 1, new byte[limit]);

        var partial = new ReadOnlySequence<byte>(frame, 0, FrameHeader.Size);
        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref partial, limit, out _, out _, out _));

        var whole = new ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameReadStatus.Complete, FrameReader.TryRead(ref whole, limit, out _, out _, out _));
    }

    private static byte[] Frame(uint requestId, ushort messageType, byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(output, FrameFlags.None, messageType, requestId, body);
        return output.WrittenSpan.ToArray();
    }
}
