using McpZero.Protocol.Messages;

namespace McpZero.Client.Internal;

/// <summary>The frame-level side of a connection that <see cref="RequestBatcher"/> writes through.</summary>
internal interface IFrameChannel
{
    /// <summary>Whether a frame is being written at this moment.</summary>
    bool IsWriting { get; }

    /// <summary>The largest frame body the server accepts, in bytes, or 0 when it is not known.</summary>
    uint MaxFrameBytes { get; }

    /// <summary>Completes when no frame is being written. Throws <see cref="ObjectDisposedException"/> or <see cref="OperationCanceledException"/> once the channel is closed.</summary>
    Task WaitForWriterAsync();

    /// <summary>Writes <paramref name="request"/> as one frame and returns the response to it.</summary>
    Task<IResponse> SendFrameAsync(IRequest request, CancellationToken cancellationToken);
}
