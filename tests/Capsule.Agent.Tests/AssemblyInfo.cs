using System.Runtime.Versioning;

// The agent and these tests of it run on Linux only.
[assembly: SupportedOSPlatform("linux")]
