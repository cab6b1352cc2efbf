using System.Buffers;
using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Client;

/// <summary>Compression and cancellation on the wire.</summary>
public sealed partial class McpZeroClient
{
    /// <summary>Largest decompressed response body this client accepts, so a corrupt length cannot exhaust memory.</summary>
    private const uint MaxDecompressedResponseBytes = 1u << 30;

    private CompressionCodec _codec;
    private int _compressionThresholdBytes;

    /// <summary>The compression codec agreed at hello, or None when frames are not compressed.</summary>
    public CompressionCodec Compression => _codec;

    private void UseCompression(HelloResponse? hello)
    {
        if (hello is not null && CompressionCodecNames.TryParse(hello.CompressionCodec, out CompressionCodec codec))
        {
            _codec = codec;
            _compressionThresholdBytes = hello.CompressionThresholdBytes;
        }
    }

    private static bool TryReadResponse(in FrameHeader header, in ReadOnlySequence<byte> body, out IResponse? response, out FrameError error)
    {
        response = null;

        // The codec is not known before the hello response, which is never compressed, so any
        // compressed frame is decoded with the one codec this build has.
        if (!FrameCompression.TryDecodeBody(header, body, CompressionCodec.Lz4, MaxDecompressedResponseBytes, out ReadOnlySequence<byte> payload, out byte[]? rented, out error))
        {
            return false;
        }

        try
        {
            return MessageReader.TryReadResponse(header, payload, out response, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Makes the caller's cancellation end the wait and tell the server with a
    /// <see cref="CancelRequest"/>, so the request stops there too.
    /// </summary>
    private CancellationTokenRegistration RegisterCancellation(uint requestId, TaskCompletionSource<IResponse> completion, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return default;
        }

        return cancellationToken.Register(
            static state =>
            {
                var (client, requestId, completion) = ((McpZeroClient, uint, TaskCompletionSource<IResponse>))state!;
                if (completion.TrySetCanceled())
                {
                    _ = client.SendCancelAsync(requestId);
                }
            },
            (this, requestId, completion));
    }

    // Fire and forget: the Ok reply finds no waiting request and is dropped by the read loop.
    private async Task SendCancelAsync(uint requestId)
    {
        uint cancelId = unchecked((uint)Interlocked.Increment(ref _nextRequestId));
        try
        {
            await _writeLock.WaitAsync(_closing.Token).ConfigureAwait(false);
            try
            {
                FrameWriter.WriteRequest(_writer, cancelId, new CancelRequest { RequestId = requestId });
                await _writer.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is closing, and the server then cancels its in-flight requests anyway.
        }
    }
}
