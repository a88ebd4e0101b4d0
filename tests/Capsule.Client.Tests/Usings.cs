global using System.Net;
global using Capsule.Client.Tests.Infrastructure;
global using Capsule.Harness;
global using Capsule.Testing.InProcess;
global using Capsule.Testing.Machines;
global using Capsule.Testing.Processes;
global using Xunit;
