global using System.Net;
global using System.Text.Json;
global using System.Text.Json.Nodes;
global using Capsule.Server.Tests.Infrastructure;
global using Capsule.Testing.InProcess;
global using Capsule.Testing.Machines;
global using Xunit;
