using System.Runtime.InteropServices;

namespace McpZero.Cli;

/// <summary>A write-only stream that calls write(2) on an inherited file descriptor such as 1 or 2.</summary>
/// <remarks>
/// Unlike a <see cref="FileStream"/>, which writes a regular file at an offset of its own, write(2)
/// advances the descriptor's shared offset, so output redirected into a file that the shell also
/// writes stays in order. The stream neither buffers nor closes the descriptor.
/// </remarks>
internal sealed partial class DescriptorStream(int descriptor) : Stream
{
    private const int InterruptedErrno = 4;
    private const int BrokenPipeErrno = 32;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            nint written = WriteNative(descriptor, buffer, (nuint)buffer.Length);
            if (written >= 0)
            {
                buffer = buffer[(int)written..];
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();

            // The reader went away, as with `mcpzero agent list | head -1`: drop the output as
            // .NET's console streams do. The runtime ignores SIGPIPE, so write(2) returns EPIPE.
            if (errno == BrokenPipeErrno)
            {
                return;
            }

            if (errno != InterruptedErrno)
            {
                throw new IOException($"writing to file descriptor {descriptor} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Terminal, pipe and file writes of CLI output are short; a blocking write keeps this simple.
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(int descriptor, ReadOnlySpan<byte> buffer, nuint count);
}
