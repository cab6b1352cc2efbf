using McpZero.Protocol;

namespace McpZero.UnitTests.Protocol;

public sealed class FrameHeaderTests
{
    [Fact]
    public void WriteThenParseKeepsFields()
    {
        var written = new FrameHeader(FrameHeader.CurrentVersion, FrameFlags.Response, 0xBEEF, 0xDEADBEEF, 123_456);
        byte[] bytes = new byte[FrameHeader.Size];
        written.Write(bytes);

        bool parsed = FrameHeader.TryParse(bytes, out FrameHeader read, out bool badMagic);

        Assert.True(parsed);
        Assert.False(badMagic);
        Assert.Equal(written, read);
        Assert.True(read.IsResponse);
    }

    [Fact]
    public void WriteUsesLittleEndianLayout()
    {
        var header = new FrameHeader(1, FrameFlags.None, 0x0102, 0x03040506, 0x0708090A);
        byte[] bytes = new byte[FrameHeader.Size];
        header.Write(bytes);

        byte[] expected =
        [
            (byte)'M', (byte)'Z', 1, 0,
            0x02, 0x01, 0x00, 0x00,
            0x06, 0x05, 0x04, 0x03,
            0x0A, 0x09, 0x08, 0x07,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void WriteZeroesReservedBytes()
    {
        byte[] bytes = Enumerable.Repeat((byte)0xFF, FrameHeader.Size).ToArray();

        new FrameHeader(1, FrameFlags.None, 1, 1, 1).Write(bytes);

        Assert.Equal(0, bytes[6]);
        Assert.Equal(0, bytes[7]);
    }

    [Fact]
    public void TryParseShortInputIsNotBadMagic()
    {
        bool parsed = FrameHeader.TryParse(new byte[FrameHeader.Size - 1], out _, out bool badMagic);

        Assert.False(parsed);
        Assert.False(badMagic);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void TryParseWrongMagicByteIsBadMagic(int index)
    {
        byte[] bytes = new byte[FrameHeader.Size];
        new FrameHeader(1, FrameFlags.None, 1, 1, 0).Write(bytes);
        bytes[index] = (byte)'X';

        bool parsed = FrameHeader.TryParse(bytes, out _, out bool badMagic);

        Assert.False(parsed);
        Assert.True(badMagic);
    }
}
