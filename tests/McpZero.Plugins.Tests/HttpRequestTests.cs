using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using McpZero.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace McpZero.Plugins.Tests;

/// <summary>
/// http_request, http_status_code and http_headers against a local HTTP server on 127.0.0.1.
/// </summary>
public sealed class HttpRequestTests : IAsyncLifetime
{
    private readonly EngineFixture _fixture = new();
    private PluginModule _module = null!;
    private LoopbackHttpServer _server = null!;

    private PluginEngine Engine => _fixture.Engine;

    public Task InitializeAsync()
    {
        _module = _fixture.Load("host_services");
        _server = new LoopbackHttpServer(Respond);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _module.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public void Get_ReturnsBodyFromAllowedHost()
    {
        PluginCallResult result = Engine.Call(_module, HttpCall("http_get", Request("/hello"), ["127.0.0.1"]));

        Assert.Equal("hello from the server", Encoding.UTF8.GetString(result.Output));
        LoopbackRequest request = Assert.Single(_server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/hello", request.Path);
    }

    [Fact]
    public void Post_SendsBodyMethodAndHeaders()
    {
        string json = $$$"""{"url":"{{{_server.Url}}}/echo","method":"post","headers":{"X-Test":"yes","Content-Type":"text/plain"}}""";

        PluginCallResult result = Engine.Call(_module, HttpCall("http_post", json, ["127.0.0.1"]));

        Assert.Equal("payload", Encoding.UTF8.GetString(result.Output));
        LoopbackRequest request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("yes", request.Headers["X-Test"]);
        Assert.Equal("text/plain", request.Headers["Content-Type"]);
    }

    [Fact]
    public void StatusAndHeaders_DescribeLastResponse()
    {
        PluginCallResult status = Engine.Call(_module, HttpCall("http_status", Request("/missing"), ["127.0.0.1"]));
        PluginCallResult headers = Engine.Call(_module, HttpCall("http_headers", Request("/hello"), ["127.0.0.1"]));

        Assert.Equal(404, BinaryPrimitives.ReadInt64LittleEndian(status.Output));
        using JsonDocument document = JsonDocument.Parse(headers.Output);
        Assert.Equal("hello-header", document.RootElement.GetProperty("x-server").GetString());
        Assert.Equal("21", document.RootElement.GetProperty("content-length").GetString());
    }

    [Fact]
    public void CompletedRequest_LoggedWithoutQuery()
    {
        var logger = new CapturingLogger();
        PluginCall call = HttpCall("http_get", Request("/redirect-home?token=secret"), ["127.0.0.1"]);

        Engine.Call(_module, new PluginCall
        {
            AgentId = call.AgentId,
            PluginName = "fetcher",
            Method = call.Method,
            Input = call.Input,
            Config = call.Config,
            Variables = call.Variables,
            AllowedHosts = call.AllowedHosts,
            Log = logger,
        });

        (LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, level);
        Assert.Contains($"Plugin fetcher (agent {call.AgentId}) http_request GET {_server.Url}/hello returned 200 with 21 bytes", message);
        Assert.DoesNotContain("secret", message);
    }

    [Fact]
    public void StatusAndHeaders_ZeroBeforeRequest()
    {
        Engine.Call(_module, HttpCall("http_status", Request("/hello"), ["127.0.0.1"]));

        // The same warm instance: the previous call's response must not leak into this one.
        PluginCallResult result = Engine.Call(_module, HttpCall("http_nothing_yet", "", ["127.0.0.1"]));

        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(result.Output.AsSpan(0, 8)));
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(result.Output.AsSpan(8, 8)));
    }

    [Fact]
    public void WildcardPattern_AllowsHost()
    {
        PluginCallResult result = Engine.Call(_module, HttpCall("http_get", Request("/hello"), ["127.0.0.*"]));

        Assert.Equal("hello from the server", Encoding.UTF8.GetString(result.Output));
    }

    [Fact]
    public void UnlistedHost_FailsNamingHostAndList()
    {
        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", Request("/hello"), ["example.com", "*.example.org"])));

        Assert.Equal(PluginErrorKind.HttpNotAllowed, error.Kind);
        Assert.Contains("host '127.0.0.1' is not allowed", error.Message);
        Assert.Contains("allowed_hosts: example.com, *.example.org", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void NoAllowedHosts_DeniesEveryRequest()
    {
        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", Request("/hello"), [])));

        Assert.Equal(PluginErrorKind.HttpNotAllowed, error.Kind);
        Assert.Contains("allowed_hosts: none", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void RedirectToUnlistedHost_Denied()
    {
        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", Request("/redirect-away"), ["127.0.0.1"])));

        Assert.Equal(PluginErrorKind.HttpNotAllowed, error.Kind);
        Assert.Contains("host 'localhost' is not allowed", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void RedirectToAllowedHost_Followed()
    {
        PluginCallResult result = Engine.Call(_module, HttpCall("http_get", Request("/redirect-home"), ["127.0.0.1"]));

        Assert.Equal("hello from the server", Encoding.UTF8.GetString(result.Output));
        Assert.Equal(["/redirect-home", "/hello"], _server.Requests.Select(request => request.Path));
    }

    [Fact]
    public void ResponseOverLimit_Fails()
    {
        PluginLimits limits = PluginLimits.Default with { MaxHttpResponseBytes = 1000 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", Request("/big"), ["127.0.0.1"], limits)));
        PluginCallResult underLimit = Engine.Call(_module, HttpCall("http_get", Request("/big"), ["127.0.0.1"], limits with { MaxHttpResponseBytes = 2000 }));

        Assert.Equal(PluginErrorKind.HttpFailed, error.Kind);
        Assert.Contains("is 1500 bytes, over the limit of 1000 bytes", error.Message);
        Assert.Contains("max_http_response_bytes", error.Message);
        Assert.Equal(1500, underLimit.Output.Length);
    }

    [Fact]
    public void SlowServer_BoundedByCallTimeout()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 300 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", Request("/slow"), ["127.0.0.1"], limits)));

        Assert.Equal(PluginErrorKind.Timeout, error.Kind);
        Assert.Contains("limit 300 ms", error.Message);
    }

    [Fact]
    public void SlowBody_BoundedByCallTimeout()
    {
        PluginLimits limits = PluginLimits.Default with { TimeoutMs = 300 };

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", Request("/slow-body"), ["127.0.0.1"], limits)));

        Assert.Equal(PluginErrorKind.Timeout, error.Kind);
        Assert.Contains("limit 300 ms", error.Message);
    }

    [Fact]
    public void ConnectionRefused_FailsWithReason()
    {
        // A port from a listener that is stopped at once has nothing listening on it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", $$"""{"url":"http://127.0.0.1:{{closedPort}}/"}""", ["127.0.0.1"])));

        Assert.Equal(PluginErrorKind.HttpFailed, error.Kind);
        Assert.Contains($"http_request to http://127.0.0.1:{closedPort}/ failed", error.Message);
    }

    [Fact]
    public async Task UntrustedCertificate_FailsNamingCause()
    {
        using X509Certificate2 certificate = CreateSelfSignedCertificate();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task server = Task.Run(async () =>
        {
            using TcpClient client = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(client.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(certificate);
            }
            catch (Exception exception) when (exception is AuthenticationException or IOException)
            {
                // The plugin's client rejects the certificate and closes the connection.
            }
        });

        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", $$"""{"url":"https://127.0.0.1:{{port}}/"}""", ["127.0.0.1"])));
        await server.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(PluginErrorKind.HttpFailed, error.Kind);
        Assert.Contains("The SSL connection could not be established", error.Message);
        Assert.Contains("certificate", error.Message);
        Assert.DoesNotContain("see inner exception", error.Message);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"method":"GET"}""", "\"url\" is missing")]
    [InlineData("""{"url":"ftp://127.0.0.1/x"}""", "is not an absolute http or https URL")]
    [InlineData("""{"url":"http://127.0.0.1/","method":"GE T"}""", "is not an HTTP method")]
    [InlineData("""{"url":"http://127.0.0.1/","headers":{"X-Count":3}}""", "header 'X-Count' is not a string")]
    [InlineData("""{"url":"http://127.0.0.1/","headers":["X-Count"]}""", "\"headers\" has the wrong JSON type")]
    public void InvalidRequest_FailsWithReason(string json, string reason)
    {
        PluginException error = Assert.Throws<PluginException>(
            () => Engine.Call(_module, HttpCall("http_get", json, ["127.0.0.1"])));

        Assert.Equal(PluginErrorKind.HttpFailed, error.Kind);
        Assert.Contains("http_request is invalid", error.Message);
        Assert.Contains(reason, error.Message);
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // SslStream on Linux needs the private key in a certificate loaded from PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private string Request(string path) => $$"""{"url":"{{_server.Url}}{{path}}"}""";

    private static PluginCall HttpCall(string method, string requestJson, IReadOnlyList<string> allowedHosts, PluginLimits? limits = null)
    {
        PluginCall call = EngineFixture.Call(method, input: Encoding.UTF8.GetBytes(requestJson), limits: limits);
        return new PluginCall
        {
            AgentId = call.AgentId,
            Method = call.Method,
            Input = call.Input,
            Config = call.Config,
            Variables = call.Variables,
            Limits = call.Limits,
            AllowedHosts = allowedHosts,
        };
    }

    private LoopbackResponse Respond(LoopbackRequest request)
    {
        return request.Path.Split('?')[0] switch
        {
            "/hello" => new LoopbackResponse(200, "hello from the server"u8.ToArray(), new Dictionary<string, string> { ["X-Server"] = "hello-header" }),
            "/echo" => new LoopbackResponse(200, request.Body),
            "/big" => new LoopbackResponse(200, new byte[1500]),
            "/slow" => new LoopbackResponse(200, "late"u8.ToArray(), DelayMs: 30_000),
            "/slow-body" => new LoopbackResponse(200, "late"u8.ToArray(), BodyDelayMs: 30_000),
            "/redirect-home" => new LoopbackResponse(302, [], new Dictionary<string, string> { ["Location"] = "/hello" }),
            "/redirect-away" => new LoopbackResponse(302, [], new Dictionary<string, string> { ["Location"] = $"http://localhost:{_server.Port}/hello" }),
            _ => new LoopbackResponse(404, "not found"u8.ToArray()),
        };
    }
}
