using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpZero.Tests.Shared;

/// <summary>A request as <see cref="LoopbackHttpServer"/> received it.</summary>
internal sealed record LoopbackRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A response for <see cref="LoopbackHttpServer"/> to send after waiting <see cref="DelayMs"/> milliseconds;
/// <see cref="BodyDelayMs"/> is a wait between the head and the body.
/// </summary>
internal sealed record LoopbackResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, int DelayMs = 0, int BodyDelayMs = 0);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 with a port chosen by the system, for tests of plugins that
/// make HTTP requests. It serves one request per connection and closes it.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<LoopbackRequest, LoopbackResponse> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<LoopbackRequest> _requests = new();
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        _handler = handler;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The base URL with the IP address, for example <c>http://127.0.0.1:40123</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<LoopbackRequest> Requests => _requests.ToArray();

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was stopped under the accept call.
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                LoopbackRequest request = await ReadRequestAsync(stream);
                _requests.Enqueue(request);
                LoopbackResponse response = _handler(request);
                if (response.DelayMs > 0)
                {
                    await Task.Delay(response.DelayMs, _stopping.Token);
                }

                await WriteResponseAsync(stream, response);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                // The client went away, for example because its call timed out.
            }
        }
    }

    private async Task<LoopbackRequest> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            int read = await stream.ReadAsync(one, _stopping.Token);
            if (read == 0)
            {
                throw new IOException("the connection closed before the request head ended");
            }

            head.Add(one[0]);
        }

        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body = [];
        if (headers.TryGetValue("Content-Length", out string? length) && int.Parse(length) > 0)
        {
            body = new byte[int.Parse(length)];
            await stream.ReadExactlyAsync(body, _stopping.Token);
        }

        return new LoopbackRequest(requestLine[0], requestLine[1], headers, body);
    }

    private static bool EndsWithBlankLine(List<byte> head)
    {
        int n = head.Count;
        return n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n';
    }

    private async Task WriteResponseAsync(NetworkStream stream, LoopbackResponse response)
    {
        var head = new StringBuilder();
        head.Append($"HTTP/1.1 {response.Status} Status{response.Status}\r\n");
        head.Append($"Content-Length: {response.Body.Length}\r\nConnection: close\r\n");
        foreach ((string name, string value) in response.Headers ?? new Dictionary<string, string>())
        {
            head.Append($"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stopping.Token);
        if (response.BodyDelayMs > 0)
        {
            await stream.FlushAsync(_stopping.Token);
            await Task.Delay(response.BodyDelayMs, _stopping.Token);
        }

        await stream.WriteAsync(response.Body, _stopping.Token);
    }
}
