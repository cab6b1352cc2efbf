using System.Text.Json;

namespace McpZero.Plugins.Internal;

/// <summary>
/// The request JSON that <c>http_request</c> takes, in Extism's shape:
/// <c>{"url": "https://...", "method": "GET", "headers": {"Name": "value"}}</c>, where only the URL is required.
/// </summary>
internal static class PluginHttpRequest
{
    /// <summary>Parses the request JSON of <c>http_request</c> into the URL, the method and the request headers.</summary>
    /// <exception cref="HostTrapException">The JSON is invalid, or the URL or method is missing or unusable.</exception>
    public static (Uri Uri, HttpMethod Method, List<KeyValuePair<string, string>> Headers) Parse(ReadOnlySpan<byte> requestJson)
    {
        string? url = null;
        string method = "GET";
        var headers = new List<KeyValuePair<string, string>>();
        try
        {
            var reader = new Utf8JsonReader(requestJson);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw InvalidRequest("the request is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "url" when reader.TokenType == JsonTokenType.String:
                        url = reader.GetString();
                        break;
                    case "method" when reader.TokenType == JsonTokenType.String:
                        method = reader.GetString()!;
                        break;
                    case "method" when reader.TokenType == JsonTokenType.Null:
                        break;
                    case "headers" when reader.TokenType == JsonTokenType.StartObject:
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            string header = reader.GetString()!;
                            reader.Read();
                            if (reader.TokenType != JsonTokenType.String)
                            {
                                throw InvalidRequest($"header '{header}' is not a string");
                            }

                            headers.Add(new(header, reader.GetString()!));
                        }

                        break;
                    case "headers" when reader.TokenType == JsonTokenType.Null:
                        break;
                    case "url" or "method" or "headers":
                        throw InvalidRequest($"\"{name}\" has the wrong JSON type");
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException exception)
        {
            throw InvalidRequest($"the request is not valid JSON: {exception.Message}");
        }

        if (string.IsNullOrEmpty(url))
        {
            throw InvalidRequest("\"url\" is missing");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw InvalidRequest($"\"{url}\" is not an absolute http or https URL");
        }

        if (method.Length == 0 || !method.All(char.IsAsciiLetter))
        {
            throw InvalidRequest($"\"{method}\" is not an HTTP method");
        }

        return (uri, new HttpMethod(method.ToUpperInvariant()), headers);
    }

    private static HostTrapException InvalidRequest(string reason)
    {
        return new HostTrapException(PluginErrorKind.HttpFailed,
            $"http_request is invalid: {reason}; pass a JSON object {{\"url\": \"https://...\", \"method\": \"GET\", \"headers\": {{}}}}.");
    }
}
