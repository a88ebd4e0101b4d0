using System.Runtime.Versioning;

// Real VMs under TCG share two cores: one test at a time keeps waits predictable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
// The server runs QEMU and the tests read /proc: Linux only.
[assembly: SupportedOSPlatform("linux")]
