using McpZero.Protocol;
using McpZero.Protocol.Messages;

namespace McpZero.Client.Internal;

/// <summary>Turns a response into the type the caller expects, or into the exception it stands for.</summary>
internal static class ResponseConverter
{
    /// <exception cref="McpZeroServerException">The response is an error, or of another type.</exception>
    public static TResponse Expect<TResponse>(IResponse response)
        where TResponse : class, IResponse => response switch
    {
        TResponse typed => typed,
        ErrorResponse error => throw new McpZeroServerException(error.Code, error.Message)
        {
            RetryAfter = error.RetryAfterMilliseconds > 0 ? TimeSpan.FromMilliseconds(error.RetryAfterMilliseconds) : null,
        },
        _ => throw new McpZeroServerException(ErrorCode.Internal, $"expected a {typeof(TResponse).Name} but the server sent message type {response.MessageType}"),
    };
}
