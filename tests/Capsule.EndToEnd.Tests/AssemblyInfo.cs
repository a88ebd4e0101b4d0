// Real VMs under TCG share two cores: one test at a time keeps waits predictable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
