using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace McpZero.Plugins.Internal;

/// <summary>
/// The host-side memory of the Extism ABI: blocks addressed by i64 offsets in a byte arena.
/// </summary>
/// <remarks>
/// Offset 0 means "none", so the first block starts at <see cref="FirstOffset"/>. Blocks are 8-byte
/// aligned, carved from the top of the arena or reused first-fit from freed blocks. The block table
/// records the requested length of every live block for <c>length</c>. <see cref="Reset"/> empties the
/// memory between calls. Not thread-safe: one call at a time per instance.
/// </remarks>
internal sealed class KernelMemory
{
    public const long FirstOffset = 8;

    private const int InitialArenaBytes = 4096;

    // A reused free block is split when at least this much of it would be left over.
    private const long MinimumSplitBytes = 64;

    // An arena that grew past this size during one call is dropped at the next reset, so an idle warm
    // instance keeps at most this much.
    private const int RetainedArenaBytes = 1 << 20;

    private readonly Dictionary<long, Block> _liveBlocks = new();
    private readonly List<Block> _freeBlocks = new();
    private byte[] _arena = [];
    private long _top = FirstOffset;
    private long _maxBytes;

    /// <summary>True when an allocation in this call failed because the arena reached its maximum size.</summary>
    public bool AllocationFailed { get; private set; }

    /// <summary>Maximum size of the arena in bytes.</summary>
    public long MaxBytes => _maxBytes;

    /// <summary>Empties the memory for a new call, with a new maximum size.</summary>
    public void Reset(long maxBytes)
    {
        _liveBlocks.Clear();
        _freeBlocks.Clear();
        _top = FirstOffset;
        _maxBytes = Math.Min(maxBytes, Array.MaxLength);
        AllocationFailed = false;
        if (_arena.Length > RetainedArenaBytes)
        {
            _arena = [];
        }
    }

    /// <summary>Allocates a zeroed block of <paramref name="length"/> bytes; returns 0 when length is not positive or the memory is full.</summary>
    public long Alloc(long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        long capacity = AlignUp(length);
        if (capacity < length)
        {
            AllocationFailed = true;
            return 0;
        }

        for (int i = 0; i < _freeBlocks.Count; i++)
        {
            Block free = _freeBlocks[i];
            if (free.Capacity >= capacity)
            {
                _freeBlocks.RemoveAt(i);
                if (free.Capacity - capacity >= MinimumSplitBytes)
                {
                    _freeBlocks.Add(new Block(free.Offset + capacity, free.Capacity - capacity, 0));
                    return Use(free.Offset, capacity, length);
                }

                return Use(free.Offset, free.Capacity, length);
            }
        }

        if (capacity > _maxBytes - _top)
        {
            AllocationFailed = true;
            return 0;
        }

        long offset = _top;
        EnsureArena(offset + capacity);
        _top = offset + capacity;
        return Use(offset, capacity, length);
    }

    /// <summary>Releases the block at <paramref name="offset"/>; does nothing when no live block starts there.</summary>
    public void Free(long offset)
    {
        if (!_liveBlocks.Remove(offset, out Block block))
        {
            return;
        }

        if (block.Offset + block.Capacity != _top)
        {
            _freeBlocks.Add(block);
            return;
        }

        // The block is the topmost one: lower the top, then absorb free blocks that now end at it.
        _top = block.Offset;
        for (int i = _freeBlocks.Count - 1; i >= 0; i--)
        {
            Block free = _freeBlocks[i];
            if (free.Offset + free.Capacity == _top)
            {
                _top = free.Offset;
                _freeBlocks.RemoveAt(i);
                i = _freeBlocks.Count;
            }
        }
    }

    /// <summary>Returns the requested length of the live block at <paramref name="offset"/>, or 0.</summary>
    public long Length(long offset)
    {
        return _liveBlocks.TryGetValue(offset, out Block block) ? block.Length : 0;
    }

    /// <summary>Returns the bytes of the live block at <paramref name="offset"/>.</summary>
    /// <exception cref="HostTrapException">No live block starts at the offset.</exception>
    public ReadOnlySpan<byte> GetBlock(long offset, string function)
    {
        if (!_liveBlocks.TryGetValue(offset, out Block block))
        {
            throw new HostTrapException(PluginErrorKind.Trap,
                $"{function}: offset {offset} is not the start of a live kernel-memory block; pass an offset returned by alloc that was not freed.");
        }

        return _arena.AsSpan((int)block.Offset, (int)block.Length);
    }

    /// <summary>Returns <paramref name="length"/> bytes at <paramref name="offset"/>, checked against the allocated part of the arena.</summary>
    public Span<byte> GetRange(long offset, long length, string function)
    {
        CheckRange(offset, length, function);
        return _arena.AsSpan((int)offset, (int)length);
    }

    public byte LoadU8(long offset)
    {
        CheckRange(offset, 1, "load_u8");
        return _arena[offset];
    }

    public ulong LoadU64(long offset)
    {
        CheckRange(offset, 8, "load_u64");
        return BinaryPrimitives.ReadUInt64LittleEndian(_arena.AsSpan((int)offset, 8));
    }

    public void StoreU8(long offset, byte value)
    {
        CheckRange(offset, 1, "store_u8");
        _arena[offset] = value;
    }

    public void StoreU64(long offset, ulong value)
    {
        CheckRange(offset, 8, "store_u64");
        BinaryPrimitives.WriteUInt64LittleEndian(_arena.AsSpan((int)offset, 8), value);
    }

    /// <summary>Allocates a block holding a copy of <paramref name="bytes"/>; returns 0 when the memory is full.</summary>
    public long AllocCopy(ReadOnlySpan<byte> bytes)
    {
        long offset = Alloc(bytes.Length);
        if (offset != 0)
        {
            bytes.CopyTo(_arena.AsSpan((int)offset, bytes.Length));
        }

        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckRange(long offset, long length, string function)
    {
        if (offset < FirstOffset || length < 0 || offset > _top - length)
        {
            ThrowOutOfRange(offset, length, function);
        }
    }

    private void ThrowOutOfRange(long offset, long length, string function)
    {
        throw new HostTrapException(PluginErrorKind.Trap,
            $"{function}: {length} bytes at offset {offset} are outside allocated kernel memory ({FirstOffset}..{_top}).");
    }

    private long Use(long offset, long capacity, long length)
    {
        _arena.AsSpan((int)offset, (int)capacity).Clear();
        _liveBlocks[offset] = new Block(offset, capacity, length);
        return offset;
    }

    private void EnsureArena(long requiredBytes)
    {
        if (requiredBytes <= _arena.Length)
        {
            return;
        }

        long size = Math.Max(_arena.Length, InitialArenaBytes);
        while (size < requiredBytes)
        {
            size *= 2;
        }

        size = Math.Min(size, Math.Max(requiredBytes, _maxBytes));
        Array.Resize(ref _arena, (int)size);
    }

    private static long AlignUp(long length)
    {
        return (length + 7) & ~7L;
    }

    private readonly record struct Block(long Offset, long Capacity, long Length);
}
