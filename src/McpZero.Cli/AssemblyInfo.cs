// The daemon runs on Linux only: Unix sockets, /proc and file modes are part of its contract.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
