using System.Runtime.Versioning;

// The agent runs in a Linux guest (and, for tests, on a Linux host) only.
[assembly: SupportedOSPlatform("linux")]
