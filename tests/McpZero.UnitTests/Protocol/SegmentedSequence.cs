using System.Buffers;

namespace McpZero.UnitTests.Protocol;

/// <summary>Builds multi-segment byte sequences, the shape a PipeReader returns when a frame spans reads.</summary>
internal static class SegmentedSequence
{
    /// <summary>Splits <paramref name="bytes"/> at each offset in <paramref name="cuts"/>, which must be ascending.</summary>
    public static ReadOnlySequence<byte> Create(byte[] bytes, params int[] cuts)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int cut in cuts)
        {
            pieces.Add(bytes.AsMemory(start, cut - start));
            start = cut;
        }

        pieces.Add(bytes.AsMemory(start));
        return FromPieces(pieces);
    }

    /// <summary>Puts every byte in a segment of its own.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < bytes.Length; i++)
        {
            pieces.Add(bytes.AsMemory(i, 1));
        }

        return FromPieces(pieces);
    }

    private static ReadOnlySequence<byte> FromPieces(List<ReadOnlyMemory<byte>> pieces)
    {
        var first = new Segment(pieces[0], 0);
        Segment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
