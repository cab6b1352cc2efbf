using MemoryPack;

namespace McpZero.Protocol.Messages;

/// <summary>
/// Cancels the request with <see cref="RequestId"/> if it is still in flight on the same connection.
/// That request then gets an error with <see cref="ErrorCode.Cancelled"/>, unless it completed first.
/// The cancel itself always gets <see cref="OkResponse"/>, whose message states whether a request was found.
/// </summary>
[MemoryPackable]
public sealed partial class CancelRequest : IRequest
{
    [MemoryPackIgnore] public ushort MessageType => MessageTypes.Cancel;

    /// <summary>The frame request id of the request to cancel.</summary>
    public uint RequestId { get; set; }
}
