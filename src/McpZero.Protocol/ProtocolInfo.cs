namespace McpZero.Protocol;

/// <summary>Version numbers of the wire protocol.</summary>
public static class ProtocolInfo
{
    /// <summary>
    /// The message-set version exchanged in hello. A server accepts only clients that send this
    /// version. The frame layout version is <see cref="FrameHeader.CurrentVersion"/>.
    /// </summary>
    public const int Version = 1;
}
