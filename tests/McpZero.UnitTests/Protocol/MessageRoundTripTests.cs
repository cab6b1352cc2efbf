using System.Buffers;
using System.Reflection;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.UnitTests.Protocol;

/// <summary>Every message type through FrameWriter, FrameReader and MessageReader.</summary>
public sealed class MessageRoundTripTests
{
    public static TheoryData<string> RequestNames => [.. MessageSamples.Requests.Keys];

    public static TheoryData<string> ResponseNames => [.. MessageSamples.Responses.Keys];

    [Fact]
    public void SamplesCoverEveryRequestType()
    {
        Assert.Equal(UnionTypeNames<IRequest>(), MessageSamples.Requests.Keys.Order());
    }

    [Fact]
    public void SamplesCoverEveryResponseType()
    {
        Assert.Equal(UnionTypeNames<IResponse>(), MessageSamples.Responses.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void RequestSampleSetsEveryMember(string name)
    {
        ObjectComparer.AssertNoDefaults(MessageSamples.Requests[name](), name);
    }

    [Theory]
    [MemberData(nameof(ResponseNames))]
    public void ResponseSampleSetsEveryMember(string name)
    {
        ObjectComparer.AssertNoDefaults(MessageSamples.Responses[name](), name);
    }

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void RequestRoundTrips(string name)
    {
        IRequest sent = MessageSamples.Requests[name]();
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteRequest(output, 0xA1B2C3D4, sent);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        FrameReadStatus status = FrameReader.TryRead(ref buffer, FrameReader.DefaultMaxBodyBytes, out FrameHeader header, out ReadOnlySequence<byte> body, out _);
        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(0xA1B2C3D4u, header.RequestId);
        Assert.Equal(sent.MessageType, header.MessageType);
        Assert.False(header.IsResponse);

        bool read = MessageReader.TryReadRequest(header, body, out IRequest? received, out FrameError error);
        Assert.True(read, error.Message);
        Assert.NotNull(received);
        ObjectComparer.AssertDeepEqual(sent, received, name);
    }

    [Theory]
    [MemberData(nameof(ResponseNames))]
    public void ResponseRoundTrips(string name)
    {
        IResponse sent = MessageSamples.Responses[name]();
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteResponse(output, 0x01020304, sent);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        FrameReadStatus status = FrameReader.TryRead(ref buffer, FrameReader.DefaultMaxBodyBytes, out FrameHeader header, out ReadOnlySequence<byte> body, out _);
        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(0x01020304u, header.RequestId);
        Assert.Equal(sent.MessageType, header.MessageType);
        Assert.True(header.IsResponse);

        bool read = MessageReader.TryReadResponse(header, body, out IResponse? received, out FrameError error);
        Assert.True(read, error.Message);
        Assert.NotNull(received);
        ObjectComparer.AssertDeepEqual(sent, received, name);
    }

    private static IEnumerable<string> UnionTypeNames<T>() =>
        typeof(T).GetCustomAttributes<MemoryPackUnionAttribute>().Select(union => union.Type.Name).Order();
}
