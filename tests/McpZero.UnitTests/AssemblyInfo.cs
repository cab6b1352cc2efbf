// McpZero.Server declares itself Linux-only, so calling it from here needs the same declaration.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
