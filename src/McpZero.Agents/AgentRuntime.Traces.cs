using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.Storage;

namespace McpZero.Agents;

public sealed partial class AgentRuntime
{
    public TraceInfo[] ListTraces(string? agentId, long sinceUnixMicros, long untilUnixMicros, int limit)
    {
        if (limit <= 0 || limit > 10_000)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"trace limit {limit} is out of range; use 1 to 10000");
        }

        if (untilUnixMicros < sinceUnixMicros)
        {
            throw new AgentException(
                ErrorCode.InvalidArgument, $"trace time range is empty: until ({untilUnixMicros} µs) is before since ({sinceUnixMicros} µs)");
        }

        return [.. _traces.List(agentId, sinceUnixMicros, untilUnixMicros, limit).Select(ToInfo)];
    }

    public TraceVerifyResponse VerifyTraces(long fromSequence)
    {
        if (fromSequence < 0)
        {
            throw new AgentException(ErrorCode.InvalidArgument, $"trace sequence {fromSequence} is negative; sequences start at 0");
        }

        long count = _traces.Count;
        long first = _traces.FirstSequence;
        if (fromSequence > first && fromSequence >= count)
        {
            throw new AgentException(
                ErrorCode.InvalidArgument,
                count == first
                    ? $"trace sequence {fromSequence} does not exist: the trace log is empty"
                    : $"trace sequence {fromSequence} does not exist: the trace log holds sequences {first} to {count - 1}");
        }

        TraceAnchor? anchor = _traces.Anchor;
        TraceVerification verification = _traces.Verify(fromSequence);
        return new TraceVerifyResponse
        {
            Ok = verification.Ok,
            RecordsChecked = verification.RecordsChecked,
            FirstBadSequence = verification.FirstBadSequence,
            Message = verification.Message,
            HeadHash = Convert.ToHexStringLower(_traces.HeadHash),
            AnchorSequence = anchor?.Sequence ?? -1,
            AnchorHash = anchor is null ? "" : Convert.ToHexStringLower(anchor.Hash),
        };
    }

    private static TraceInfo ToInfo(TraceRecord record) => new()
    {
        Sequence = record.Sequence,
        TimestampUnixMicros = record.TimestampUnixMicros,
        AgentId = record.AgentId,
        Plugin = record.Plugin,
        Method = record.Method,
        InputSha256 = Convert.ToHexStringLower(record.InputSha256),
        OutputSha256 = Convert.ToHexStringLower(record.OutputSha256),
        Status = (ErrorCode)record.ErrorCode,
        DurationMicros = record.DurationMicros,
        PreviousHash = Convert.ToHexStringLower(record.PreviousHash),
        Hash = Convert.ToHexStringLower(record.Hash),
        Cached = record.Status == TraceStatus.Cached,
    };
}
