using System.Runtime.Versioning;

// Capsule runs QEMU on Linux; the VM layer is Linux-only and so is the server.
[assembly: SupportedOSPlatform("linux")]
