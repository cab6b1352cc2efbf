using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.IntegrationTests;

/// <summary>
/// Replays the recorded request frames of protocol version 1 (Corpus/v1, written by
/// tests/McpZero.CorpusRecorder) against a live daemon, so a change that breaks the wire format of
/// an existing message fails here.
/// </summary>
public sealed class CorpusTests
{
    // Error codes that mean the daemon could not read the frame, as opposed to handling the request.
    private static readonly ErrorCode[] UnreadableCodes =
        [ErrorCode.BadRequest, ErrorCode.UnsupportedVersion, ErrorCode.FrameTooLarge, ErrorCode.UnknownMessageType, ErrorCode.PayloadTooLarge, ErrorCode.Internal];

    private static readonly Dictionary<ushort, ushort> SuccessResponses = new()
    {
        [MessageTypes.Hello] = MessageTypes.HelloResult,
        [MessageTypes.Status] = MessageTypes.StatusResult,
        [MessageTypes.Stats] = MessageTypes.StatsResult,
        [MessageTypes.PluginInstall] = MessageTypes.PluginInfo,
        [MessageTypes.PluginList] = MessageTypes.PluginListResult,
        [MessageTypes.PluginShow] = MessageTypes.PluginInfo,
        [MessageTypes.PluginRemove] = MessageTypes.Ok,
        [MessageTypes.AgentSpawn] = MessageTypes.AgentInfo,
        [MessageTypes.AgentList] = MessageTypes.AgentListResult,
        [MessageTypes.AgentShow] = MessageTypes.AgentInfo,
        [MessageTypes.AgentAttach] = MessageTypes.AgentInfo,
        [MessageTypes.AgentExec] = MessageTypes.ExecResult,
        [MessageTypes.AgentSnapshot] = MessageTypes.SnapshotResult,
        [MessageTypes.AgentRecover] = MessageTypes.AgentInfo,
        [MessageTypes.AgentTerminate] = MessageTypes.Ok,
        [MessageTypes.TraceList] = MessageTypes.TraceListResult,
        [MessageTypes.TraceVerify] = MessageTypes.TraceVerifyResult,
        [MessageTypes.PoolCreate] = MessageTypes.PoolInfo,
        [MessageTypes.PoolList] = MessageTypes.PoolListResult,
        [MessageTypes.PoolShow] = MessageTypes.PoolInfo,
        [MessageTypes.PoolLease] = MessageTypes.PoolLeaseResult,
        [MessageTypes.PoolReturn] = MessageTypes.Ok,
        [MessageTypes.PoolRemove] = MessageTypes.Ok,
        [MessageTypes.DbInsert] = MessageTypes.DbWriteResult,
        [MessageTypes.DbGet] = MessageTypes.DbDocuments,
        [MessageTypes.DbUpdate] = MessageTypes.DbWriteResult,
        [MessageTypes.DbDelete] = MessageTypes.DbWriteResult,
        [MessageTypes.DbFind] = MessageTypes.DbDocuments,
        [MessageTypes.DbCreateIndex] = MessageTypes.DbIndexListResult,
        [MessageTypes.DbIndexList] = MessageTypes.DbIndexListResult,
        [MessageTypes.AgentSnapshotDelete] = MessageTypes.Ok,
        [MessageTypes.Batch] = MessageTypes.BatchResult,
        [MessageTypes.Cancel] = MessageTypes.Ok,
    };

    [Fact]
    public void CorpusCoversEveryRequestType()
    {
        var recorded = Directory.GetFiles(TestPaths.Corpus("v1"), "*.bin")
            .Select(path => ushort.Parse(Path.GetFileName(path)[..3], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();

        Assert.Equal(SuccessResponses.Keys.Order(), recorded.Order());
    }

    [Fact]
    public async Task EveryRecordedFrameGetsValidResponse()
    {
        await using Daemon daemon = await Daemon.StartAsync();
        var failures = new List<string>();

        foreach (string path in Directory.GetFiles(TestPaths.Corpus("v1"), "*.bin").Order(StringComparer.Ordinal))
        {
            byte[] frame = await File.ReadAllBytesAsync(path);
            Assert.True(FrameHeader.TryParse(frame, out FrameHeader request, out _), $"{path} has no frame header");

            // A fresh connection per file: the hello file is sent first, every other file after a hello.
            await using RawConnection connection = request.MessageType == MessageTypes.Hello
                ? await RawConnection.ConnectAsync(daemon)
                : (await RawConnection.ConnectWithHelloAsync(daemon)).Connection;
            await connection.SendAsync(frame);
            (FrameHeader header, IResponse response) = await connection.ReadAsync();

            string name = Path.GetFileName(path);
            if (header.RequestId != request.RequestId)
            {
                failures.Add($"{name}: reply has request id {header.RequestId}, expected {request.RequestId}");
            }
            else if (response is ErrorResponse error && UnreadableCodes.Contains(error.Code))
            {
                failures.Add($"{name}: {error.Code}: {error.Message}");
            }
            else if (response is not ErrorResponse && response.MessageType != SuccessResponses[request.MessageType])
            {
                failures.Add($"{name}: reply is message type {response.MessageType}, expected {SuccessResponses[request.MessageType]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
