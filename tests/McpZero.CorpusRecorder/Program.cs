// Records one request frame per request type of the current protocol version, as the .NET code
// writes it today, into the corpus folder that CorpusTests replays against a live daemon.
// Run it only when the corpus should change:
//   dotnet run --project tests/McpZero.CorpusRecorder -- tests/McpZero.IntegrationTests/Corpus/v1
using System.Buffers;
using McpZero.Protocol;
using McpZero.Protocol.Messages;
using McpZero.UnitTests.Protocol;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: McpZero.CorpusRecorder OUTPUT_FOLDER (for example tests/McpZero.IntegrationTests/Corpus/v1)");
    return 2;
}

string folder = args[0];
Directory.CreateDirectory(folder);
foreach (string stale in Directory.GetFiles(folder, "*.bin"))
{
    File.Delete(stale);
}

// The samples set every member. The hello sample carries a protocol version that no server
// accepts, so the corpus gets a hello of the current version instead.
var requests = MessageSamples.Requests
    .Where(pair => pair.Key != nameof(HelloRequest))
    .Select(pair => pair.Value())
    .Append(new HelloRequest { ProtocolVersion = ProtocolInfo.Version, ClientName = "corpus", CompressionCodecs = [CompressionCodecNames.Lz4] })
    .OrderBy(request => request.MessageType);

foreach (IRequest request in requests)
{
    var frame = new ArrayBufferWriter<byte>();

    // The request id is the message type, so the id in a reply identifies the file of its request.
    FrameWriter.WriteRequest(frame, request.MessageType, request);
    string path = Path.Combine(folder, $"{request.MessageType:D3}-{MessageNames.Request(request.MessageType)}.bin");
    File.WriteAllBytes(path, frame.WrittenSpan.ToArray());
    Console.WriteLine($"{path}: {frame.WrittenCount} bytes");
}

return 0;
