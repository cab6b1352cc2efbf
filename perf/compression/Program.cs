// Compares frame-body codecs on bodies shaped like the daemon's traffic: ratio, and MB/s of
// uncompressed bytes for compression and decompression. Run with
// `dotnet run -c Release --project perf/compression [-- --seconds S]`.
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using K4os.Compression.LZ4;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using MemoryPack;

double secondsPerCase = args.Length == 2 && args[0] == "--seconds" ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0.5;

var random = new Random(12345);
(string Name, byte[] Body)[] bodies =
[
    ("exec input, JSON 300 B", ExecRequest(JsonRecords(random, 2))),
    ("exec input, JSON 4 KB", ExecRequest(JsonRecords(random, 30))),
    ("exec input, JSON 64 KB", ExecRequest(JsonRecords(random, 480))),
    ("exec input, log text 16 KB", ExecRequest(LogText(random, 16 * 1024))),
    ("trace list, 200 records", MemoryPackSerializer.Serialize<IResponse>(TraceList(random, 200))),
    ("db documents, 100 agents", MemoryPackSerializer.Serialize<IResponse>(AgentDocuments(random, 100))),
];

Codec[] codecs =
[
    new("lz4 (K4os 1.3.8, L00_FAST)", Lz4Compress, Lz4Decompress),
    new("zstd (ZstdSharp 0.8.8, level 1)", ZstdCompress, ZstdDecompress),
    new("brotli (in-box, quality 1)", BrotliCompress, BrotliDecompress),
    new("deflate (in-box, Fastest)", DeflateCompress, DeflateDecompress),
];

Console.WriteLine($"| body | bytes | codec | ratio | compress MB/s | decompress MB/s |");
Console.WriteLine($"|---|---|---|---|---|---|");
foreach ((string name, byte[] body) in bodies)
{
    foreach (Codec codec in codecs)
    {
        byte[] compressed = codec.Compress(body);
        byte[] restored = codec.Decompress(compressed, body.Length);
        if (!restored.AsSpan().SequenceEqual(body))
        {
            throw new InvalidOperationException($"{codec.Name} did not round-trip {name}");
        }

        double compressRate = Measure(() => codec.Compress(body), body.Length, secondsPerCase);
        double decompressRate = Measure(() => codec.Decompress(compressed, body.Length), body.Length, secondsPerCase);
        Console.WriteLine($"| {name} | {body.Length:N0} | {codec.Name} | {(double)body.Length / compressed.Length:F2} | {compressRate:F0} | {decompressRate:F0} |");
    }
}

static double Measure(Func<byte[]> action, int bytesPerRun, double seconds)
{
    for (int i = 0; i < 20; i++)
    {
        action();
    }

    long runs = 0;
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed.TotalSeconds < seconds)
    {
        action();
        runs++;
    }

    return runs * (double)bytesPerRun / watch.Elapsed.TotalSeconds / 1e6;
}

static byte[] ExecRequest(string input) => MemoryPackSerializer.Serialize<IRequest>(new AgentExecRequest
{
    AgentId = "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
    Method = "process",
    Input = Encoding.UTF8.GetBytes(input),
});

static string JsonRecords(Random random, int count)
{
    string[] kinds = ["temperature", "humidity", "pressure", "door", "motion"];
    var text = new StringBuilder("{\"device\":\"edge-gw-07\",\"readings\":[");
    for (int i = 0; i < count; i++)
    {
        text.Append(i == 0 ? "" : ",")
            .Append("{\"sensor\":\"s-").Append(random.Next(1000, 9999))
            .Append("\",\"kind\":\"").Append(kinds[random.Next(kinds.Length)])
            .Append("\",\"value\":").Append((random.NextDouble() * 100).ToString("F3", System.Globalization.CultureInfo.InvariantCulture))
            .Append(",\"unix_micros\":").Append(1_764_900_000_000_000 + (long)i * 1_000_000 + random.Next(1000))
            .Append(",\"ok\":").Append(random.Next(10) > 0 ? "true" : "false").Append('}');
    }

    return text.Append("]}").ToString();
}

static string LogText(Random random, int bytes)
{
    string[] levels = ["INFO", "INFO", "INFO", "WARN", "DEBUG", "ERROR"];
    string[] words = ["connection", "request", "agent", "plugin", "completed", "started", "timeout", "retry", "queue", "commit", "snapshot", "worker", "latency", "ms", "bytes", "from", "to", "after"];
    var text = new StringBuilder();
    while (text.Length < bytes)
    {
        text.Append("2026-12-05T00:").Append(random.Next(10, 59)).Append(':').Append(random.Next(10, 59)).Append('.').Append(random.Next(100, 999))
            .Append("Z ").Append(levels[random.Next(levels.Length)]).Append(" worker-").Append(random.Next(8)).Append(": ");
        int count = random.Next(6, 14);
        for (int i = 0; i < count; i++)
        {
            text.Append(words[random.Next(words.Length)]).Append(i % 4 == 3 ? $" {random.Next(100000)} " : " ");
        }

        text.Append('\n');
    }

    return text.ToString(0, bytes);
}

static TraceListResponse TraceList(Random random, int count)
{
    string agent = "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    string previous = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    var records = new TraceInfo[count];
    for (int i = 0; i < count; i++)
    {
        string hash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        records[i] = new TraceInfo
        {
            Sequence = 1000 + i,
            TimestampUnixMicros = 1_764_900_000_000_000 + i * 1234L,
            AgentId = agent,
            Plugin = "data_processing",
            Method = i % 3 == 0 ? "greet" : "process",
            InputSha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            OutputSha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Status = random.Next(20) == 0 ? ErrorCode.PluginError : ErrorCode.Ok,
            DurationMicros = random.Next(20, 400),
            PreviousHash = previous,
            Hash = hash,
        };
        previous = hash;
    }

    return new TraceListResponse { Records = records };
}

static DbDocumentsResponse AgentDocuments(Random random, int count)
{
    var documents = new string[count];
    for (int i = 0; i < count; i++)
    {
        documents[i] = "{\"agent_id\":\"a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))
            + "\",\"owner\":\"team-" + random.Next(5) + "\",\"status\":\"active\",\"plugins\":[\"hello\",\"data_processing\"],"
            + "\"created_unix_micros\":" + (1_764_900_000_000_000 + random.Next()) + ",\"executions\":" + random.Next(100000)
            + ",\"memory_mb\":64,\"timeout_ms\":5000,\"fuel\":0,\"config\":{\"region\":\"eu-west\",\"mode\":\"batch\"},"
            + "\"snapshots\":[],\"metadata\":{\"site\":\"plant-" + random.Next(20) + "\"}}";
    }

    return new DbDocumentsResponse { Documents = documents };
}

static byte[] Lz4Compress(byte[] source)
{
    byte[] target = new byte[LZ4Codec.MaximumOutputSize(source.Length)];
    int written = LZ4Codec.Encode(source, target, LZ4Level.L00_FAST);
    return target[..written];
}

static byte[] Lz4Decompress(byte[] source, int length)
{
    byte[] target = new byte[length];
    int written = LZ4Codec.Decode(source, target);
    return written == length ? target : throw new InvalidDataException("lz4 output length differs from the original length");
}

// The zstd contexts are reused, as a connection would reuse them, because creating one per body
// costs more than compressing a small body.
static byte[] ZstdCompress(byte[] source) => ZstdContexts.Compressor.Wrap(source).ToArray();

static byte[] ZstdDecompress(byte[] source, int length)
{
    byte[] target = new byte[length];
    int written = ZstdContexts.Decompressor.Unwrap(source, target, 0);
    return written == length ? target : throw new InvalidDataException("zstd output length differs from the original length");
}

static byte[] BrotliCompress(byte[] source)
{
    byte[] target = new byte[BrotliEncoder.GetMaxCompressedLength(source.Length)];
    if (!BrotliEncoder.TryCompress(source, target, out int written, quality: 1, window: 22))
    {
        throw new InvalidOperationException("brotli compression failed");
    }

    return target[..written];
}

static byte[] BrotliDecompress(byte[] source, int length)
{
    byte[] target = new byte[length];
    return BrotliDecoder.TryDecompress(source, target, out int written) && written == length ? target : throw new InvalidDataException("brotli decompression failed or changed the length");
}

static byte[] DeflateCompress(byte[] source)
{
    var output = new MemoryStream();
    using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
    {
        deflate.Write(source);
    }

    return output.ToArray();
}

static byte[] DeflateDecompress(byte[] source, int length)
{
    byte[] target = new byte[length];
    using var deflate = new DeflateStream(new MemoryStream(source), CompressionMode.Decompress);
    deflate.ReadExactly(target);
    return target;
}

internal static class ZstdContexts
{
    public static readonly ZstdSharp.Compressor Compressor = new(1);
    public static readonly ZstdSharp.Decompressor Decompressor = new();
}

internal sealed record Codec(string Name, Func<byte[], byte[]> Compress, Func<byte[], int, byte[]> Decompress);
