using Capsule.Snapshots;

return await SnapshotCommand.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
