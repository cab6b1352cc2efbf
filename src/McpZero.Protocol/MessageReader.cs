using System.Buffers;
using McpZero.Protocol.Messages;
using MemoryPack;

namespace McpZero.Protocol;

/// <summary>Turns frame bodies back into messages, checking that the header and body agree.</summary>
public static class MessageReader
{
    public static bool TryReadRequest(in FrameHeader header, in ReadOnlySequence<byte> body, out IRequest? request, out FrameError error)
    {
        request = null;
        error = default;

        if (header.IsResponse)
        {
            error = new FrameError(ErrorCode.BadRequest, "a client frame must not carry the response flag", header.RequestId);
            return false;
        }

        if (!MessageTypes.IsKnownRequest(header.MessageType))
        {
            error = new FrameError(ErrorCode.UnknownMessageType, $"message type {header.MessageType} is not a request this server knows", header.RequestId);
            return false;
        }

        try
        {
            request = MemoryPackSerializer.Deserialize<IRequest>(body);
        }
        catch (Exception ex) when (IsMalformedBody(ex))
        {
            error = new FrameError(ErrorCode.BadRequest, $"request body of message type {header.MessageType} is malformed: {ex.Message}", header.RequestId);
            return false;
        }

        return CheckType(header, request?.MessageType, out error);
    }

    public static bool TryReadResponse(in FrameHeader header, in ReadOnlySequence<byte> body, out IResponse? response, out FrameError error)
    {
        response = null;
        error = default;

        try
        {
            response = MemoryPackSerializer.Deserialize<IResponse>(body);
        }
        catch (Exception ex) when (IsMalformedBody(ex))
        {
            error = new FrameError(ErrorCode.BadRequest, $"response body of message type {header.MessageType} is malformed: {ex.Message}", header.RequestId);
            return false;
        }

        return CheckType(header, response?.MessageType, out error);
    }

    // MemoryPack 1.22.0 reports most malformed input as MemoryPackSerializationException, but not
    // all of it. A varint that does not fit an int (AgentConstraints' member lengths) throws
    // OverflowException, and a dictionary count below -1 reaches the Dictionary constructor, which
    // throws ArgumentOutOfRangeException. Without these cases a malformed body would end the
    // connection without the BadRequest error the protocol promises.
    private static bool IsMalformedBody(Exception exception) =>
        exception is MemoryPackSerializationException or OverflowException or ArgumentException;

    private static bool CheckType(in FrameHeader header, ushort? bodyType, out FrameError error)
    {
        error = default;
        if (bodyType is null)
        {
            error = new FrameError(ErrorCode.BadRequest, $"message type {header.MessageType} has an empty body", header.RequestId);
            return false;
        }

        if (bodyType.Value != header.MessageType)
        {
            error = new FrameError(
                ErrorCode.UnknownMessageType,
                $"header message type {header.MessageType} does not match the body's type {bodyType.Value}",
                header.RequestId);
            return false;
        }

        return true;
    }
}
