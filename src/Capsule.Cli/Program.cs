using System.CommandLine;
using Capsule.Cli;

// Ctrl+C cancels the running command's token; `run` then still kills its session, so allow it a few seconds.
return await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration
{
    ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
});
