using System.Text;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace McpZero.Storage.Tests;

/// <summary>
/// Crash tests of the state store. A crash is simulated by copying the data directory while the
/// store is still open: the copy is what the disk holds when the process dies at that moment.
/// </summary>
public sealed class StateStoreDurabilityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestDirectory _directory = new();
    private readonly ListLogger _logger = new();
    private readonly ITestOutputHelper _output;

    public StateStoreDurabilityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void SyncPolicy_CrashKeepsEveryReturnedWrite()
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        using (var store = Open(live, StateCommitPolicy.Sync))
        {
            for (var i = 0; i < 500; i++)
            {
                store.Upsert($"key-{i}", BitConverter.GetBytes(i));
            }

            store.Delete("key-7");
            CopyDirectory(live, crashed);
        }

        using var recovered = Open(crashed, StateCommitPolicy.Sync);
        for (var i = 0; i < 500; i++)
        {
            if (i == 7)
            {
                Assert.False(recovered.TryRead("key-7", out _));
                continue;
            }

            Assert.True(recovered.TryRead($"key-{i}", out var value), $"key-{i} lost");
            Assert.Equal(i, BitConverter.ToInt32(value));
        }
    }

    [Fact]
    public async Task CheckpointPolicy_CrashLosesWritesSinceCheckpoint()
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        using (var store = Open(live, StateCommitPolicy.Checkpoint))
        {
            store.Upsert("before", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("after", [2]);
            CopyDirectory(live, crashed);
        }

        using var recovered = Open(crashed, StateCommitPolicy.Checkpoint);
        Assert.True(recovered.TryRead("before", out _));
        Assert.False(recovered.TryRead("after", out _));
    }

    [Fact]
    public async Task SyncPolicy_ReplaysOnTopOfCheckpoint()
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        using (var store = Open(live, StateCommitPolicy.Sync))
        {
            store.Upsert("value", [1]);
            store.Upsert("deleted-later", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("value", [2]);
            store.Delete("deleted-later");
            store.Upsert("new", [3]);
            CopyDirectory(live, crashed);
        }

        using var recovered = Open(crashed, StateCommitPolicy.Sync);
        Assert.True(recovered.TryRead("value", out var value));
        Assert.Equal(new byte[] { 2 }, value);
        Assert.False(recovered.TryRead("deleted-later", out _));
        Assert.True(recovered.TryRead("new", out var added));
        Assert.Equal(new byte[] { 3 }, added);
        Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3011);
    }

    [Fact]
    public async Task ConcurrentSyncWriters_ShareCommits()
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        const int Writers = 8;
        const int WritesPerWriter = 50;
        using (var store = Open(live, StateCommitPolicy.Sync))
        {
            var tasks = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; i < WritesPerWriter; i++)
                {
                    store.Upsert($"w{writer}-{i}", [(byte)i], waitForCommit: false);
                    await store.WaitForCommitAsync();
                }
            }));
            await Task.WhenAll(tasks).WaitAsync(Timeout);

            _output.WriteLine($"{Writers * WritesPerWriter} writes, {store.JournalCommits} commits");
            Assert.True(store.JournalCommits <= Writers * WritesPerWriter, $"{store.JournalCommits} commits");
            CopyDirectory(live, crashed);
        }

        using var recovered = Open(crashed, StateCommitPolicy.Sync);
        for (var writer = 0; writer < Writers; writer++)
        {
            for (var i = 0; i < WritesPerWriter; i++)
            {
                Assert.True(recovered.TryRead($"w{writer}-{i}", out _), $"w{writer}-{i} lost");
            }
        }
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("zero")]
    public void DamagedJournalTail_KeepsGoodEntriesAndServes(string damage)
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        using (var store = Open(live, StateCommitPolicy.Sync))
        {
            for (var i = 0; i < 200; i++)
            {
                store.Upsert($"key-{i}", new byte[100]);
            }

            CopyDirectory(live, crashed);
        }

        var segment = Path.Combine(crashed, "journal", "journal.log.0");
        var length = new FileInfo(segment).Length;
        _output.WriteLine($"journal segment {length} bytes");
        DamageTail(segment, keepBytes: length / 2, damage);

        using (var recovered = Open(crashed, StateCommitPolicy.Sync))
        {
            Assert.True(recovered.TryRead("key-0", out _));
            Assert.False(recovered.TryRead("key-199", out _));
            recovered.Upsert("after-damage", [1]);
            CopyDirectory(crashed, _directory.Sub("crashed-again"));
        }

        foreach (var entry in _logger.Entries)
        {
            _output.WriteLine($"{entry.EventId.Id} {entry.Message}");
        }

        var error = Assert.Single(_logger.Entries, entry => entry.EventId.Id == 3010);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("lost", error.Message);

        using var again = Open(_directory.Sub("crashed-again"), StateCommitPolicy.Sync);
        Assert.True(again.TryRead("key-0", out _));
        Assert.True(again.TryRead("after-damage", out _));
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("zero")]
    public async Task DamagedStoreLogTail_FallsBackAndServes(string damage)
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        using (var store = Open(live, StateCommitPolicy.Sync))
        {
            for (var i = 0; i < 100; i++)
            {
                store.Upsert($"first-{i}", new byte[100]);
            }

            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            for (var i = 0; i < 100; i++)
            {
                store.Upsert($"second-{i}", new byte[100]);
            }

            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            CopyDirectory(live, crashed);
        }

        var segment = Path.Combine(crashed, "log", "hlog.log.0");
        var length = new FileInfo(segment).Length;
        DamageTail(segment, keepBytes: length / 2, damage);

        using var recovered = Open(crashed, StateCommitPolicy.Sync);
        recovered.Upsert("after-damage", [1]);
        Assert.True(recovered.TryRead("after-damage", out _));
        foreach (var entry in _logger.Entries.Where(entry => entry.Level >= LogLevel.Warning))
        {
            _output.WriteLine($"{entry.EventId.Id} {entry.Message}");
        }

        Assert.True(recovered.TryRead("first-0", out _), "first-0 lost");
        Assert.True(recovered.TryRead("second-99", out _), "second-99 lost");
    }

    [Fact]
    public async Task CrashMidCheckpoint_RecoversEveryWrite()
    {
        var live = _directory.Sub("live");
        var crashed = _directory.Sub("crashed");
        using (var store = Open(live, StateCommitPolicy.Sync))
        {
            store.Upsert("first", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("second", [2]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("third", [3]);
            CopyDirectory(live, crashed);
        }

        // A checkpoint cut short by the crash: its metadata file was created but not written.
        var newestToken = File.ReadAllLines(Path.Combine(crashed, "checkpoint-order")).Last();
        var newest = new DirectoryInfo(Path.Combine(crashed, "checkpoints", "cpr-checkpoints", newestToken));
        foreach (var file in newest.GetFiles())
        {
            using var stream = file.Open(FileMode.Open);
            stream.SetLength(0);
        }

        using var recovered = Open(crashed, StateCommitPolicy.Sync);
        foreach (var entry in _logger.Entries)
        {
            _output.WriteLine($"{entry.EventId.Id} {entry.Message}");
        }

        Assert.True(recovered.TryRead("first", out _));
        Assert.True(recovered.TryRead("second", out _));
        Assert.True(recovered.TryRead("third", out _));
        Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3002 && entry.Level == LogLevel.Error);
    }

    [Fact]
    public async Task ManyUpdatesOnFewKeys_DirectoryStaysBounded()
    {
        // 200,000 updates of 1,000 keys with 100-byte values: about 25 MB of records in total.
        const int Keys = 1000;
        var value = new byte[100];
        long maxSize = 0;
        using (var store = Open(_directory.Path, StateCommitPolicy.Interval, segmentBytes: 1 << 20))
        {
            for (var round = 0; round < 200; round++)
            {
                for (var key = 0; key < Keys; key++)
                {
                    BitConverter.TryWriteBytes(value, round);
                    store.Upsert($"agent/{key:D6}/vars", value);
                }

                if (round % 20 == 19)
                {
                    await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
                    var size = TestDirectory.MeasureBytes(_directory.Path);
                    _output.WriteLine($"round {round}: {size} bytes, log {store.ApproximateSizeBytes}, journal {store.JournalSizeBytes}");
                    maxSize = Math.Max(maxSize, size);
                }
            }
        }

        // Live data is about 150 KB; segments of 1 MiB are given back whole, so a few MiB is the bound.
        Assert.True(maxSize < 12 << 20, $"directory reached {maxSize} bytes");
    }

    [Fact]
    public async Task ListKeys_AfterReadOnlyShift_EachLiveKeyOnce()
    {
        using var store = Open(_directory.Path, StateCommitPolicy.Sync);
        for (var i = 0; i < 100; i++)
        {
            store.Upsert($"agent/a-{i:D10}", [1]);
        }

        // The fold-over checkpoint moves the read-only address to the tail, so these updates append
        // new records and leave the old versions behind in the read-only region.
        await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
        for (var i = 0; i < 100; i += 2)
        {
            store.Upsert($"agent/a-{i:D10}", [2]);
        }

        for (var i = 0; i < 100; i += 10)
        {
            store.Delete($"agent/a-{i + 1:D10}");
        }

        var keys = store.ListKeys("agent/"u8).Select(key => Encoding.UTF8.GetString(key)).ToList();

        var expected = Enumerable.Range(0, 100).Where(i => i % 10 != 1).Select(i => $"agent/a-{i:D10}").ToHashSet();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(expected, keys.ToHashSet());
    }

    [Fact]
    public void ListKeys_FiltersByPrefix()
    {
        using var store = Open(_directory.Path, StateCommitPolicy.Sync);
        store.Upsert("agent/1", [1]);
        store.Upsert("plugin/1", [1]);

        var keys = store.ListKeys("plugin/"u8);

        Assert.Equal("plugin/1", Encoding.UTF8.GetString(Assert.Single(keys)));
    }

    private StateStore Open(string directory, StateCommitPolicy policy, long segmentBytes = 16 << 20)
    {
        var options = new StateStoreOptions
        {
            Directory = directory,
            PageBytes = 1 << 16,
            MemoryBytes = 1 << 20,
            SegmentBytes = segmentBytes,
            IndexBuckets = 1 << 10,
            CheckpointInterval = TimeSpan.Zero,
            CommitPolicy = policy,
        };
        return StateStore.Open(options, _logger);
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var output = File.Create(target);
                input.CopyTo(output);
            }
            catch (FileNotFoundException)
            {
                // FASTER deleted an outdated file between the listing and the copy.
            }
        }
    }

    private static void DamageTail(string file, long keepBytes, string damage)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        if (damage == "truncate")
        {
            stream.SetLength(keepBytes);
            return;
        }

        stream.Position = keepBytes;
        stream.Write(new byte[stream.Length - keepBytes]);
    }
}
