using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace McpZero.Plugins.Internal;

/// <summary>
/// The HTTP client behind <c>http_request</c>: one request per host call, run synchronously on the
/// calling thread and bounded by the call's deadline, its cancellation and the response-size limit.
/// </summary>
/// <remarks>
/// One <see cref="HttpClient"/> serves every plugin, created on the first request. It ignores proxy
/// settings from the environment, so a request goes straight to the host that <c>allowed_hosts</c>
/// checked, and it follows redirects itself so that every hop is checked too.
/// </remarks>
internal static class PluginHttp
{
    // Maximum number of redirects one request follows.
    private const int MaxRedirects = 5;

    private static readonly Lazy<HttpClient> Client = new(CreateClient);

    /// <summary>Sends the request described by <paramref name="requestJson"/> and returns the response body.</summary>
    /// <exception cref="HostTrapException">The request is invalid, not allowed, failed, timed out or was cancelled.</exception>
    public static byte[] Send(PluginInstance state, PluginCall call, ReadOnlySpan<byte> requestJson, byte[]? body)
    {
        (Uri uri, HttpMethod method, List<KeyValuePair<string, string>> headers) = PluginHttpRequest.Parse(requestJson);
        CheckAllowed(state, call, uri);

        long remainingTicks = state.DeadlineTimestamp - Stopwatch.GetTimestamp();
        if (remainingTicks <= 0)
        {
            throw new HostTrapException(PluginErrorKind.Timeout, "timed out before http_request could start.");
        }

        long started = Stopwatch.GetTimestamp();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(call.Cancellation);
        cancellation.CancelAfter(TimeSpan.FromSeconds((double)remainingTicks / Stopwatch.Frequency));
        try
        {
            using HttpResponseMessage response = SendFollowingRedirects(state, call, uri, method, headers, body, cancellation.Token);
            state.HttpStatus = (int)response.StatusCode;
            state.HttpHeadersJson = HeadersToJson(response);

            // A synchronous read of the body does not watch the token, so cancellation disposes the
            // response, which closes the connection and ends the read.
            using CancellationTokenRegistration abort = cancellation.Token.Register(static response => ((HttpResponseMessage)response!).Dispose(), response);
            byte[] responseBody = ReadBody(response, uri, call.Limits.MaxHttpResponseBytes, cancellation.Token);
            if (call.Log is { } logger && logger.IsEnabled(LogLevel.Debug))
            {
                // After redirects, the response's request is the last hop.
                Uri finalUri = response.RequestMessage?.RequestUri ?? uri;
                string finalMethod = response.RequestMessage?.Method.Method ?? method.Method;
                PluginLog.HttpRequestCompleted(logger, call.PluginName ?? state.Module.ShortName, state.AgentId, finalMethod,
                    finalUri.GetLeftPart(UriPartial.Path), state.HttpStatus, responseBody.Length, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return responseBody;
        }
        catch (Exception exception) when (IsAbort(exception) && call.Cancellation.IsCancellationRequested)
        {
            throw new HostTrapException(PluginErrorKind.Cancelled, "cancelled by the host during http_request.");
        }
        catch (Exception exception) when (IsAbort(exception) && cancellation.IsCancellationRequested)
        {
            throw new HostTrapException(PluginErrorKind.Timeout, $"timed out during http_request to {uri.GetLeftPart(UriPartial.Path)}.");
        }
        catch (HttpRequestException exception)
        {
            throw new HostTrapException(PluginErrorKind.HttpFailed, $"http_request to {uri.GetLeftPart(UriPartial.Path)} failed: {Describe(exception)}");
        }
        catch (IOException exception)
        {
            throw new HostTrapException(PluginErrorKind.HttpFailed, $"http_request to {uri.GetLeftPart(UriPartial.Path)} failed while reading the response: {Describe(exception)}");
        }
    }

    // HttpClient's messages for TLS and socket failures end with "see inner exception", and the inner
    // exception contains the cause (for example an untrusted certificate), so both go into the message.
    private static string Describe(Exception exception)
    {
        Exception innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        string outer = exception.Message.Replace(", see inner exception.", "", StringComparison.Ordinal).TrimEnd('.');
        return ReferenceEquals(innermost, exception) ? exception.Message : $"{outer}: {innermost.Message}";
    }

    // The exceptions a request or a body read throws when its token is cancelled or its response disposed.
    private static bool IsAbort(Exception exception)
    {
        return exception is OperationCanceledException or HttpRequestException or IOException or ObjectDisposedException;
    }

    private static HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        // Each request has its own deadline through its cancellation token.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static void CheckAllowed(PluginInstance state, PluginCall call, Uri uri)
    {
        if (HostPattern.MatchesAny(call.AllowedHosts, uri.Host))
        {
            return;
        }

        string allowed = call.AllowedHosts.Count == 0 ? "none" : string.Join(", ", call.AllowedHosts);
        throw new HostTrapException(PluginErrorKind.HttpNotAllowed,
            $"http_request to host '{uri.Host}' is not allowed for plugin {state.DisplayName}; allowed_hosts: {allowed}. Add the host to allowed_hosts in the plugin's manifest, then sign the bundle again and install it.");
    }

    private static HttpResponseMessage SendFollowingRedirects(
        PluginInstance state,
        PluginCall call,
        Uri uri,
        HttpMethod method,
        List<KeyValuePair<string, string>> headers,
        byte[]? body,
        CancellationToken cancellationToken)
    {
        for (int redirects = 0; ; redirects++)
        {
            using HttpRequestMessage request = CreateRequest(uri, method, headers, body);
            HttpResponseMessage response = Client.Value.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            Uri? location = response.Headers.Location;
            if (!IsRedirect(response.StatusCode) || location is null || redirects == MaxRedirects)
            {
                return response;
            }

            response.Dispose();
            uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new HostTrapException(PluginErrorKind.HttpFailed, $"http_request was redirected to {uri}, which is not an http or https URL.");
            }

            CheckAllowed(state, call, uri);

            // 301, 302 and 303 turn a request into a GET without a body, as browsers do. 307 and 308 keep the method and body.
            if (response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther && method != HttpMethod.Head)
            {
                method = HttpMethod.Get;
                body = null;
            }
        }
    }

    private static bool IsRedirect(HttpStatusCode status)
    {
        return status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
    }

    private static HttpRequestMessage CreateRequest(Uri uri, HttpMethod method, List<KeyValuePair<string, string>> headers, byte[]? body)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach ((string name, string value) in headers)
        {
            // Content headers such as Content-Type belong to the content; without a body they are dropped.
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static byte[] ReadBody(HttpResponseMessage response, Uri uri, long maxBytes, CancellationToken cancellationToken)
    {
        long? declared = response.Content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            throw TooLarge(uri, declared, maxBytes);
        }

        using Stream stream = response.Content.ReadAsStream(cancellationToken);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(uri, null, maxBytes);
            }

            buffer.Write(chunk, 0, read);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return buffer.ToArray();
    }

    private static HostTrapException TooLarge(Uri uri, long? declaredBytes, long maxBytes)
    {
        string size = declaredBytes is { } bytes ? $"is {bytes} bytes, over" : "is over";
        return new HostTrapException(PluginErrorKind.HttpFailed,
            $"the response body of http_request to {uri.GetLeftPart(UriPartial.Path)} {size} the limit of {maxBytes} bytes; raise memory.max_http_response_bytes in the plugin's manifest.");
    }

    // Writes the response and content headers as one JSON object; repeated headers are joined with ", ".
    private static byte[] HeadersToJson(HttpResponseMessage response)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteHeaders(writer, response.Headers);
            WriteHeaders(writer, response.Content.Headers);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteHeaders(Utf8JsonWriter writer, HttpHeaders headers)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            writer.WriteString(header.Key.ToLowerInvariant(), header.Value.ToString());
        }
    }
}
