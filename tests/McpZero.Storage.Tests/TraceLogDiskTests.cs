using System.Security.Cryptography;
using McpZero.Storage.Internal;

namespace McpZero.Storage.Tests;

/// <summary>
/// Seals, batch appends, the sparse index, retention and recovery of a trace log whose segment files
/// are edited on disk between runs.
/// </summary>
public sealed class TraceLogDiskTests : IDisposable
{
    private const int PageBytes = 4096;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestDirectory _directory = new();
    private readonly ListLogger _logger = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Verify_IntactLog_ChecksEverySeal()
    {
        await using var log = Open();
        await AppendAsync(log, 0, 10);
        await AppendAsync(log, 10, 10);

        var verification = log.Verify();

        Assert.True(verification.Ok, verification.Message);
        Assert.Equal(20, verification.RecordsChecked);
        Assert.Contains("seals", verification.Message);
    }

    [Fact]
    public async Task Verify_RecordRemovedFromSegment_NamesIt()
    {
        await WriteAsync(15);
        var file = Segment();
        file.Remove(file.Records.ElementAt(7));
        file.Save();

        await using var log = Open();
        var verification = log.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(7, verification.FirstBadSequence);
        Assert.Contains("record 7 is missing", verification.Message);
    }

    [Fact]
    public async Task Verify_RecordZeroedInEarlierPage_NamesIt()
    {
        await WriteAsync(80);
        var file = Segment();
        file.Zero(file.Records.ElementAt(5));
        file.Save();

        await using var log = Open();
        var verification = log.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(5, verification.FirstBadSequence);
        Assert.Contains("record 5 is missing", verification.Message);
        Assert.Equal(80, log.Count);
    }

    [Fact]
    public async Task Verify_ForgedRecordInserted_FailsRightAfterIt()
    {
        await WriteAsync(10);
        var file = Segment();
        var seven = Decode(file.Payload(file.Records.ElementAt(7)));

        // The forged record copies record 8 with a new duration, links to record 7 and carries a correct hash.
        var forged = Decode(file.Payload(file.Records.ElementAt(8)));
        forged.DurationMicros = 999_999;
        forged.PreviousHash = seven.Hash;
        forged.Hash = TraceHash.Compute(forged);
        file.Insert(file.Records.ElementAt(8), DocumentSerializer<TraceRecord>.Serialize(forged));
        file.Save();

        await using var log = Open();
        var verification = log.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(9, verification.FirstBadSequence);
        Assert.Contains("record 8 appears again or out of order", verification.Message);
    }

    [Fact]
    public async Task Verify_TwoRecordsSwapped_NamesFirst()
    {
        await WriteAsync(10);
        var file = Segment();
        file.Swap(file.Records.ElementAt(3), file.Records.ElementAt(4));
        file.Save();

        await using var log = Open();
        var verification = log.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(3, verification.FirstBadSequence);
        Assert.Contains("record 3 is missing", verification.Message);
    }

    [Fact]
    public async Task Verify_SealRootChanged_NamesBatch()
    {
        await using (var log = Open())
        {
            await AppendAsync(log, 0, 6);
            await AppendAsync(log, 6, 6);
        }

        var file = Segment();
        var secondSeal = file.Entries.Where(entry => entry.IsSeal).ElementAt(1);
        file.Bytes[secondSeal.Offset + 4 + TraceSeal.EncodedBytes - 1] ^= 0x01;
        file.Save();

        await using var reopened = Open();
        var verification = reopened.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(6, verification.FirstBadSequence);
        Assert.Contains("Merkle root of records 6 to 11", verification.Message);
    }

    [Fact]
    public async Task Verify_SealRemoved_NamesBatch()
    {
        await using (var log = Open())
        {
            await AppendAsync(log, 0, 6);
            await AppendAsync(log, 6, 6);
        }

        var file = Segment();
        file.Remove(file.Entries.First(entry => entry.IsSeal));
        file.Save();

        await using var reopened = Open();
        var verification = reopened.Verify();

        Assert.False(verification.Ok);
        Assert.Equal(0, verification.FirstBadSequence);
        Assert.Contains("covers records 6 to 11 but the batch is records 0 to 11", verification.Message);
    }

    [Fact]
    public async Task Open_TruncatedTail_RecoversAndNamesLoss()
    {
        await WriteAsync(100);
        var file = Segment();
        var cut = file.Records.ElementAt(70).Offset;
        using (var stream = new FileStream(file.Path, FileMode.Open))
        {
            stream.SetLength(cut);
        }

        await AssertRecoversFromTailLossAsync();
    }

    [Fact]
    public async Task Open_ZeroedTail_RecoversAndNamesLoss()
    {
        await WriteAsync(100);
        var file = Segment();
        var start = file.Records.ElementAt(70).Offset;
        file.Bytes.AsSpan(start).Clear();
        file.Save();

        await AssertRecoversFromTailLossAsync();
    }

    [Fact]
    public async Task AppendBatchAsync_ThreeThousand_VerifiesAfterReopen()
    {
        var drafts = Enumerable.Range(0, 3000).Select(i => Draft(i)).ToArray();
        await using (var log = Open())
        {
            var records = await log.AppendBatchAsync(drafts).AsTask().WaitAsync(Timeout);

            Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), records.Select(record => record.Sequence));
            Assert.Equal(records[^1].Hash, log.HeadHash);
        }

        await using var reopened = Open();
        var verification = reopened.Verify();

        Assert.Equal(3000, reopened.Count);
        Assert.True(verification.Ok, verification.Message);
        Assert.Equal(3000, verification.RecordsChecked);
    }

    [Fact]
    public async Task List_TimeRange_UsesIndexAfterReopen()
    {
        await using (var log = Open(blockRecords: 16))
        {
            await log.AppendBatchAsync(Enumerable.Range(0, 500).Select(i => Draft(i) with { TimestampUnixMicros = 10_000 + i }).ToArray())
                .AsTask().WaitAsync(Timeout);
        }

        Assert.True(File.Exists(Path.Combine(_directory.Path, "index")));
        await using var reopened = Open(blockRecords: 16);
        var since = reopened.List(null, 10_400, long.MaxValue, 1000);
        var window = reopened.List("agent-1", 10_100, 10_130, 1000);
        var newest = reopened.List(null, 0, long.MaxValue, 5);

        Assert.True(reopened.IndexBlockCount >= 500 / 32, $"only {reopened.IndexBlockCount} index blocks");
        Assert.Equal(Enumerable.Range(400, 100).Select(i => (long)i), since.Select(record => record.Sequence));
        Assert.Equal(Enumerable.Range(100, 31).Where(i => i % 3 == 1).Select(i => (long)i), window.Select(record => record.Sequence));
        Assert.Equal(Enumerable.Range(495, 5).Select(i => (long)i), newest.Select(record => record.Sequence));
    }

    [Fact]
    public async Task Open_IndexFileDeleted_RebuildsIt()
    {
        await using (var log = Open(blockRecords: 16))
        {
            await AppendAsync(log, 0, 200);
        }

        File.Delete(Path.Combine(_directory.Path, "index"));

        await using var reopened = Open(blockRecords: 16);
        Assert.True(reopened.IndexBlockCount >= 200 / 32, $"only {reopened.IndexBlockCount} index blocks");
        Assert.True(File.Exists(Path.Combine(_directory.Path, "index")));
        Assert.Equal(200, reopened.Count);
        Assert.Equal(10, reopened.List(null, 0, long.MaxValue, 10).Count);
    }

    [Fact]
    public async Task Retention_MaxBytes_ShrinksFolderAndKeepsChain()
    {
        await using (var log = Open(blockRecords: 16, segmentBytes: 16384))
        {
            await log.AppendBatchAsync(Enumerable.Range(0, 2000).Select(Draft).ToArray()).AsTask().WaitAsync(Timeout);
        }

        var before = SegmentBytesOnDisk();
        long removed;
        TraceAnchor? anchor;
        await using (var log = Open(blockRecords: 16, segmentBytes: 16384, maxBytes: 32768))
        {
            removed = await log.ApplyRetentionAsync(DateTimeOffset.UtcNow).AsTask().WaitAsync(Timeout);
            anchor = log.Anchor;
        }

        var after = SegmentBytesOnDisk();
        Assert.True(removed > 1500, $"retention removed only {removed} records");
        Assert.NotNull(anchor);
        Assert.Equal(removed - 1, anchor.Sequence);
        Assert.True(after < before / 4, $"trace segment files take {after} bytes after retention, {before} before");

        await using var reopened = Open(blockRecords: 16, segmentBytes: 16384, maxBytes: 32768);
        var verification = reopened.Verify();
        var oldest = reopened.List(null, 0, long.MaxValue, 10_000)[0];

        Assert.Equal(anchor.Sequence, reopened.Anchor?.Sequence);
        Assert.Equal(anchor.Hash, reopened.Anchor?.Hash);
        Assert.Equal(2000, reopened.Count);
        Assert.True(verification.Ok, verification.Message);
        Assert.Equal(2000 - removed, verification.RecordsChecked);
        Assert.Equal(removed, oldest.Sequence);
        Assert.Equal(anchor.Hash, oldest.PreviousHash);
    }

    [Fact]
    public async Task Retention_MaxAge_RemovesOnlyOldBlocks()
    {
        var now = DateTimeOffset.UtcNow;
        var old = (now - TimeSpan.FromDays(2)).ToUnixTimeMilliseconds() * 1000;
        var recent = (now - TimeSpan.FromMinutes(5)).ToUnixTimeMilliseconds() * 1000;
        await using var log = Open(blockRecords: 16, maxAge: TimeSpan.FromDays(1));
        await log.AppendBatchAsync(Enumerable.Range(0, 320).Select(i => Draft(i) with { TimestampUnixMicros = old + i }).ToArray())
            .AsTask().WaitAsync(Timeout);
        await log.AppendBatchAsync(Enumerable.Range(320, 320).Select(i => Draft(i) with { TimestampUnixMicros = recent + i }).ToArray())
            .AsTask().WaitAsync(Timeout);

        await log.ApplyRetentionAsync(now).AsTask().WaitAsync(Timeout);
        var remaining = log.List(null, 0, long.MaxValue, 10_000);
        var verification = log.Verify();

        Assert.Equal(320, log.FirstSequence);
        Assert.Equal(320, remaining.Count);
        Assert.All(remaining, record => Assert.True(record.TimestampUnixMicros >= recent));
        Assert.True(verification.Ok, verification.Message);
    }

    private async Task AssertRecoversFromTailLossAsync()
    {
        await using (var log = Open())
        {
            Assert.Equal(70, log.Count);
            Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3104 && entry.Message.Contains("records 70 to 99"));

            var next = log.Append(Draft(70));
            Assert.Equal(70, next.Sequence);
            var verification = log.Verify();
            Assert.True(verification.Ok, verification.Message);
        }

        await using var reopened = Open();
        var again = reopened.Verify();

        Assert.Equal(71, reopened.Count);
        Assert.True(again.Ok, again.Message);
        Assert.Equal(71, again.RecordsChecked);
    }

    private async Task WriteAsync(int count)
    {
        await using var log = Open();
        await AppendAsync(log, 0, count);
    }

    private static async Task AppendAsync(TraceLog log, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            log.Append(Draft(i));
        }

        await log.CommitAsync().AsTask().WaitAsync(Timeout);
    }

    private LogSegmentFile Segment() => new(_directory.Path, PageBytes);

    // FasterLog deletes truncated segment files in the background, so a listed file may be gone when it is measured.
    private long SegmentBytesOnDisk() =>
        new DirectoryInfo(_directory.Path).EnumerateFiles("trace.log.*").Sum(file => file.Exists ? SafeLength(file) : 0);

    private static long SafeLength(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static TraceRecord Decode(byte[] payload) => DocumentSerializer<TraceRecord>.Deserialize(payload)!;

    private TraceLog Open(int blockRecords = 1024, long segmentBytes = 1 << 20, long maxBytes = 0, TimeSpan maxAge = default) =>
        TraceLog.Open(_directory.Path, _logger, new TraceLogOptions
        {
            PageBytes = PageBytes,
            MemoryBytes = 4 * PageBytes,
            SegmentBytes = segmentBytes,
            BlockRecords = blockRecords,
            MaxBytes = maxBytes,
            MaxAge = maxAge,
            CommitInterval = TimeSpan.FromMilliseconds(20),
        });

    private static TraceRecordDraft Draft(int index) => new()
    {
        AgentId = $"agent-{index % 3}",
        Plugin = "echo",
        Method = $"method-{index:D4}",
        InputSha256 = SHA256.HashData(BitConverter.GetBytes(index)),
        OutputSha256 = SHA256.HashData(BitConverter.GetBytes(-index)),
        Status = TraceStatus.Ok,
        DurationMicros = 100,
    };
}
