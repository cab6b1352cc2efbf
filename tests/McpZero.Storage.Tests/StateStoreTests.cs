using System.Text;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace McpZero.Storage.Tests;

public sealed class StateStoreTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestDirectory _directory = new();
    private readonly ListLogger _logger = new();
    private readonly ITestOutputHelper _output;

    public StateStoreTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void UpsertReadDelete_RoundTrips()
    {
        using var store = Open();

        store.Upsert("alpha", [1, 2, 3]);
        store.Upsert(Encoding.UTF8.GetBytes("beta"), [4]);

        Assert.True(store.TryRead("alpha", out var alpha));
        Assert.Equal(new byte[] { 1, 2, 3 }, alpha);
        Assert.Equal(new byte[] { 4 }, store.Read(Encoding.UTF8.GetBytes("beta")));
        Assert.False(store.TryRead("missing", out var missing));
        Assert.Empty(missing);

        store.Upsert("alpha", [9]);
        Assert.True(store.TryRead("alpha", out alpha));
        Assert.Equal(new byte[] { 9 }, alpha);

        Assert.True(store.Delete("alpha"));
        Assert.False(store.TryRead("alpha", out _));
        Assert.False(store.Delete("alpha"));
        Assert.Equal(5, store.Writes);
    }

    [Fact]
    public void Upsert_EmptyValue_ReadsBackEmpty()
    {
        using var store = Open();

        store.Upsert("empty", ReadOnlySpan<byte>.Empty);

        Assert.True(store.TryRead("empty", out var value));
        Assert.Empty(value);
    }

    [Fact]
    public void Upsert_ValueLargerThanPage_Throws()
    {
        using var store = Open(pageBytes: 4096, memoryBytes: 1 << 16, segmentBytes: 1 << 16);

        var exception = Assert.Throws<StorageException>(() => store.Upsert("big", new byte[5000]));

        Assert.Contains("'big'", exception.Message);
        Assert.Contains("PageBytes", exception.Message);
    }

    [Fact]
    public void Documents_RoundTrip()
    {
        using var store = Open();
        var document = new AgentDocument { Id = "a-17", Plugins = ["echo", "counter"], CreatedUnixMicros = 1234567 };

        store.UpsertDocument("agent/a-17", document);
        var read = store.ReadDocument<AgentDocument>("agent/a-17");

        Assert.NotNull(read);
        Assert.Equal("a-17", read.Id);
        Assert.Equal(new[] { "echo", "counter" }, read.Plugins);
        Assert.Equal(1234567, read.CreatedUnixMicros);
        Assert.Null(store.ReadDocument<AgentDocument>("agent/missing"));
    }

    [Fact]
    public void ReadDocument_InvalidBytes_ThrowsStorageException()
    {
        using var store = Open();
        store.Upsert("agent/bad", [200, 1]);

        var exception = Assert.Throws<StorageException>(() => store.ReadDocument<AgentDocument>("agent/bad"));

        Assert.Contains("agent/bad", exception.Message);
    }

    [Fact]
    public void Reopen_RecoversDataAndDeletes()
    {
        using (var store = Open())
        {
            for (var i = 0; i < 1000; i++)
            {
                store.Upsert($"key-{i}", BitConverter.GetBytes(i));
            }

            store.Delete("key-5");
            store.UpsertDocument("doc", new AgentDocument { Id = "persisted" });
        }

        using (var reopened = Open())
        {
            for (var i = 0; i < 1000; i++)
            {
                if (i == 5)
                {
                    Assert.False(reopened.TryRead("key-5", out _));
                    continue;
                }

                Assert.True(reopened.TryRead($"key-{i}", out var value), $"key-{i} missing after reopen");
                Assert.Equal(i, BitConverter.ToInt32(value));
            }

            Assert.Equal("persisted", reopened.ReadDocument<AgentDocument>("doc")?.Id);
        }

        Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3001);
    }

    [Fact]
    public void Read_RecordOnDisk_CompletesPending()
    {
        // 64 KiB of log memory against about 1 MiB of data forces most reads to go to disk.
        using var store = Open(pageBytes: 4096, memoryBytes: 1 << 16, segmentBytes: 1 << 20);
        var value = new byte[1000];
        for (var i = 0; i < 1000; i++)
        {
            BitConverter.TryWriteBytes(value, i);
            store.Upsert($"key-{i}", value);
        }

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(store.TryRead($"key-{i}", out var read), $"key-{i} missing");
            Assert.Equal(i, BitConverter.ToInt32(read));
        }
    }

    [Fact]
    public async Task ConcurrentWriters_AllWritesVisible()
    {
        // A small log memory makes the threads also hit pending reads from disk.
        using var store = Open(pageBytes: 4096, memoryBytes: 1 << 16, segmentBytes: 1 << 20);
        const int threads = 8;
        const int keysPerThread = 2000;

        var tasks = Enumerable.Range(0, threads).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < keysPerThread; i++)
            {
                var key = $"t{thread}-k{i}";
                store.Upsert(key, BitConverter.GetBytes(thread * keysPerThread + i));
                Assert.True(store.TryRead($"t{thread}-k{i / 2}", out _));
            }
        })).ToArray();

        await Task.WhenAll(tasks).WaitAsync(Timeout);

        for (var thread = 0; thread < threads; thread++)
        {
            for (var i = 0; i < keysPerThread; i++)
            {
                Assert.True(store.TryRead($"t{thread}-k{i}", out var value), $"t{thread}-k{i} missing");
                Assert.Equal(thread * keysPerThread + i, BitConverter.ToInt32(value));
            }
        }
    }

    [Fact]
    public async Task ConcurrentCheckpoints_RunOneAtATime()
    {
        await using var store = Open();
        store.Upsert("k", [1]);

        var checkpoints = Enumerable.Range(0, 4).Select(_ => store.CheckpointAsync().AsTask()).ToArray();
        await Task.WhenAll(checkpoints).WaitAsync(Timeout);

        Assert.Equal(4, store.Checkpoints);
        Assert.True(CountCheckpoints() <= 2, $"{CountCheckpoints()} checkpoints kept on disk");
    }

    [Fact]
    public void Open_DirectoryUnderRegularFile_ThrowsWithPath()
    {
        // Root ignores permission bits, so a path below a regular file is the reliable unwritable case.
        var file = _directory.Sub("plain-file");
        File.WriteAllText(file, "not a directory");
        var dataDirectory = Path.Combine(file, "data");

        var exception = Assert.Throws<StorageException>(() => StateStore.Open(new StateStoreOptions { Directory = dataDirectory }, _logger));

        Assert.Contains(dataDirectory, exception.Message);
        Assert.Contains("not writable", exception.Message);
        Assert.Contains("--data", exception.Message);
    }

    [Fact]
    public async Task Open_CorruptLatestCheckpoint_FallsBackAndReplaysJournal()
    {
        using (var store = Open())
        {
            store.Upsert("first", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("second", [2]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
        }

        CorruptFiles(LatestLogCheckpointDirectory());

        using (var reopened = Open())
        {
            Assert.True(reopened.TryRead("first", out var first));
            Assert.Equal(new byte[] { 1 }, first);
            Assert.True(reopened.TryRead("second", out var second));
            Assert.Equal(new byte[] { 2 }, second);
        }

        var error = Assert.Single(_logger.Entries, entry => entry.EventId.Id == 3002);
        Assert.Contains("journal replays", error.Message);
    }

    [Fact]
    public async Task Open_CorruptLatestCheckpoint_FallsBackToPrevious()
    {
        using (var store = Open(commitPolicy: StateCommitPolicy.Checkpoint))
        {
            store.Upsert("first", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("second", [2]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
        }

        var latest = LatestLogCheckpointDirectory();
        CorruptFiles(latest);

        using (var reopened = Open(commitPolicy: StateCommitPolicy.Checkpoint))
        {
            Assert.True(reopened.TryRead("first", out var first));
            Assert.Equal(new byte[] { 1 }, first);
            Assert.False(reopened.TryRead("second", out _));
        }

        var error = Assert.Single(_logger.Entries, entry => entry.EventId.Id == 3002);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains(Path.GetFileName(latest), error.Message);
        Assert.False(Directory.Exists(latest));
    }

    [Fact]
    public async Task Open_CheckpointTimesEqual_RecoversNewest()
    {
        using (var store = Open())
        {
            store.Upsert("value", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("value", [2]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
        }

        // A copy or a tar archive of the data directory can leave every checkpoint folder with the
        // same modification time; here the older checkpoint even looks newer.
        var checkpointDirectories = Directory.GetDirectories(Path.Combine(_directory.Path, "checkpoints"), "*", SearchOption.AllDirectories)
            .Where(directory => Guid.TryParse(Path.GetFileName(directory), out _))
            .ToList();
        Assert.Equal(4, checkpointDirectories.Count);
        var newest = LatestLogCheckpointDirectory();
        var stamp = DateTime.UtcNow.AddMinutes(-5);
        foreach (var directory in checkpointDirectories)
        {
            Directory.SetLastWriteTimeUtc(directory, Path.GetFileName(directory) == Path.GetFileName(newest) ? stamp : stamp.AddSeconds(1));
        }

        using var reopened = Open();
        Assert.True(reopened.TryRead("value", out var value));
        Assert.Equal(new byte[] { 2 }, value);
    }

    [Fact]
    public async Task Open_AllCheckpointsCorrupt_StartsEmpty()
    {
        using (var store = Open())
        {
            store.Upsert("first", [1]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
            store.Upsert("second", [2]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
        }

        foreach (var directory in Directory.GetDirectories(Path.Combine(_directory.Path, "checkpoints", "cpr-checkpoints")))
        {
            CorruptFiles(directory);
        }

        using (var reopened = Open())
        {
            Assert.False(reopened.TryRead("first", out _));
            reopened.Upsert("after", [3]);
        }

        using (var again = Open())
        {
            Assert.True(again.TryRead("after", out var after));
            Assert.Equal(new byte[] { 3 }, after);
        }

        Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3003 && entry.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Checkpoint_KeepsLatestTwo()
    {
        using var store = Open();
        for (var i = 0; i < 5; i++)
        {
            store.Upsert($"k{i}", [(byte)i]);
            await store.CheckpointAsync().AsTask().WaitAsync(Timeout);
        }

        Assert.Equal(2, CountCheckpoints());
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(_directory.Path, "checkpoints", "index-checkpoints")).Length);
    }

    [Fact]
    public void ReopenCycles_SameKeys_DirectoryStaysBounded()
    {
        // Each cycle rewrites about 2 MiB of the same keys; 1 MiB segments let compaction give space back.
        var value = new byte[1024];
        long sizeAfterTwoCycles = 0;
        long maxSize = 0;
        for (var cycle = 1; cycle <= 20; cycle++)
        {
            using (var store = Open(segmentBytes: 1 << 20))
            {
                for (var i = 0; i < 2000; i++)
                {
                    BitConverter.TryWriteBytes(value, cycle * 10000 + i);
                    store.Upsert($"agent/{i}", value);
                }
            }

            var size = TestDirectory.MeasureBytes(_directory.Path);
            _output.WriteLine($"cycle {cycle}: {size} bytes");
            maxSize = Math.Max(maxSize, size);
            if (cycle == 2)
            {
                sizeAfterTwoCycles = size;
            }
        }

        using (var last = Open(segmentBytes: 1 << 20))
        {
            Assert.True(last.TryRead("agent/1999", out var read));
            Assert.Equal(20 * 10000 + 1999, BitConverter.ToInt32(read));
        }

        Assert.True(maxSize < 2 * sizeAfterTwoCycles, $"directory reached {maxSize} bytes; after two cycles it was {sizeAfterTwoCycles}");
    }

    private StateStore Open(long pageBytes = 1 << 20, long memoryBytes = 32 << 20, long segmentBytes = 16 << 20, StateCommitPolicy commitPolicy = StateCommitPolicy.Sync)
    {
        var options = new StateStoreOptions
        {
            Directory = _directory.Path,
            PageBytes = pageBytes,
            MemoryBytes = memoryBytes,
            SegmentBytes = segmentBytes,
            IndexBuckets = 1 << 10,
            CheckpointInterval = TimeSpan.Zero,
            CommitPolicy = commitPolicy,
        };
        return StateStore.Open(options, _logger);
    }

    private int CountCheckpoints() =>
        Directory.GetDirectories(Path.Combine(_directory.Path, "checkpoints", "cpr-checkpoints")).Length;

    private string LatestLogCheckpointDirectory() =>
        new DirectoryInfo(Path.Combine(_directory.Path, "checkpoints", "cpr-checkpoints"))
            .GetDirectories()
            .OrderByDescending(directory => directory.LastWriteTimeUtc)
            .First()
            .FullName;

    private static void CorruptFiles(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] ^= 0x5A;
            }

            File.WriteAllBytes(file, bytes);
        }
    }
}
