namespace McpZero.Protocol;

/// <summary>Version numbers of the wire protocol.</summary>
public static class ProtocolInfo
{
    /// <summary>
    /// The message-set version exchanged in hello. A server answers any client whose version it
    /// knows; the frame layout version lives in <see cref="FrameHeader.CurrentVersion"/>.
    /// </summary>
    public const int Version = 1;
}
