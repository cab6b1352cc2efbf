using System.Buffers;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.UnitTests.Protocol;

public sealed class MessageReaderTests
{
    [Fact]
    public void UnknownRequestTypeIsRejected()
    {
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new StatusRequest());
        FrameHeader header = RequestHeader(999, 5, body.Length);

        bool read = MessageReader.TryReadRequest(header, new ReadOnlySequence<byte>(body), out IRequest? request, out FrameError error);

        Assert.False(read);
        Assert.Null(request);
        Assert.Equal(ErrorCode.UnknownMessageType, error.Code);
        Assert.Contains("999", error.Message);
        Assert.Equal(5u, error.RequestId);
    }

    [Fact]
    public void HeaderAndBodyTypeMismatchIsRejected()
    {
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new HelloRequest { ClientName = "mismatch" });
        FrameHeader header = RequestHeader(MessageTypes.Status, 6, body.Length);

        bool read = MessageReader.TryReadRequest(header, new ReadOnlySequence<byte>(body), out _, out FrameError error);

        Assert.False(read);
        Assert.Equal(ErrorCode.UnknownMessageType, error.Code);
        Assert.Contains($"header message type {MessageTypes.Status}", error.Message);
        Assert.Contains($"body's type {MessageTypes.Hello}", error.Message);
        Assert.Equal(6u, error.RequestId);
    }

    [Fact]
    public void ResponseTypeMismatchIsRejected()
    {
        byte[] body = MemoryPackSerializer.Serialize<IResponse>(new OkResponse { Message = "done" });
        var header = new FrameHeader(FrameHeader.CurrentVersion, FrameFlags.Response, MessageTypes.Error, 8, (uint)body.Length);

        bool read = MessageReader.TryReadResponse(header, new ReadOnlySequence<byte>(body), out _, out FrameError error);

        Assert.False(read);
        Assert.Equal(ErrorCode.UnknownMessageType, error.Code);
        Assert.Equal(8u, error.RequestId);
    }

    [Fact]
    public void TruncatedBodyIsBadRequest()
    {
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new AgentExecRequest
        {
            AgentId = "a-17",
            Method = "count",
            Input = [1, 2, 3, 4],
            Plugin = "counter",
        });

        for (int length = 0; length < body.Length; length++)
        {
            FrameHeader header = RequestHeader(MessageTypes.AgentExec, 9, length);

            bool read = MessageReader.TryReadRequest(header, new ReadOnlySequence<byte>(body, 0, length), out _, out FrameError error);

            Assert.False(read, $"a body cut to {length} of {body.Length} bytes was accepted");
            Assert.Equal(ErrorCode.BadRequest, error.Code);
            Assert.Equal(9u, error.RequestId);
        }
    }

    [Fact]
    public void ResponseFlagOnRequestIsBadRequest()
    {
        byte[] body = MemoryPackSerializer.Serialize<IRequest>(new StatusRequest());
        var header = new FrameHeader(FrameHeader.CurrentVersion, FrameFlags.Response, MessageTypes.Status, 10, (uint)body.Length);

        bool read = MessageReader.TryReadRequest(header, new ReadOnlySequence<byte>(body), out IRequest? request, out FrameError error);

        Assert.False(read);
        Assert.Null(request);
        Assert.Equal(ErrorCode.BadRequest, error.Code);
        Assert.Contains("response flag", error.Message);
        Assert.Equal(10u, error.RequestId);
    }

    private static FrameHeader RequestHeader(ushort messageType, uint requestId, int bodyLength) =>
        new(FrameHeader.CurrentVersion, FrameFlags.None, messageType, requestId, (uint)bodyLength);
}
