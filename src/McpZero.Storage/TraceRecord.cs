using MemoryPack;

namespace McpZero.Storage;

/// <summary>One entry of the hash-chained execution log written by <see cref="TraceLog"/>.</summary>
/// <remarks>
/// Stored with MemoryPack in version-tolerant form, so members can be added later with new order
/// numbers. <see cref="Hash"/> is SHA-256 over a fixed encoding of every other member that does not
/// depend on MemoryPack.
/// </remarks>
[MemoryPackable(GenerateType.VersionTolerant)]
public sealed partial class TraceRecord
{
    /// <summary>Position in the chain, starting at 0.</summary>
    [MemoryPackOrder(0)]
    public long Sequence;

    /// <summary>Time the call started, in microseconds since the Unix epoch (UTC).</summary>
    [MemoryPackOrder(1)]
    public long TimestampUnixMicros;

    /// <summary>Agent that made the call.</summary>
    [MemoryPackOrder(2)]
    public string AgentId = "";

    /// <summary>Plugin that handled the call.</summary>
    [MemoryPackOrder(3)]
    public string Plugin = "";

    /// <summary>Plugin export that was called.</summary>
    [MemoryPackOrder(4)]
    public string Method = "";

    /// <summary>SHA-256 of the call input.</summary>
    [MemoryPackOrder(5)]
    public byte[] InputSha256 = [];

    /// <summary>SHA-256 of the call output; empty when the call produced none.</summary>
    [MemoryPackOrder(6)]
    public byte[] OutputSha256 = [];

    /// <summary>Outcome of the call.</summary>
    [MemoryPackOrder(7)]
    public TraceStatus Status;

    /// <summary>Failure detail chosen by the caller (for example a protocol error code); 0 when <see cref="Status"/> is Ok.</summary>
    [MemoryPackOrder(8)]
    public ushort ErrorCode;

    /// <summary>Duration of the call in microseconds.</summary>
    [MemoryPackOrder(9)]
    public long DurationMicros;

    /// <summary><see cref="Hash"/> of the record before this one; 32 zero bytes for sequence 0.</summary>
    [MemoryPackOrder(10)]
    public byte[] PreviousHash = [];

    /// <summary>SHA-256 over the canonical encoding of all other members, including <see cref="PreviousHash"/>.</summary>
    [MemoryPackOrder(11)]
    public byte[] Hash = [];
}
