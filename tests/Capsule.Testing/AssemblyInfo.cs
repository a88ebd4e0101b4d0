using System.Runtime.Versioning;

// The server and its VM layer are Linux-only (they run QEMU).
[assembly: SupportedOSPlatform("linux")]
