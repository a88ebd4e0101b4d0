using System.Runtime.Versioning;

// The server under test is Linux-only (it runs QEMU).
[assembly: SupportedOSPlatform("linux")]
