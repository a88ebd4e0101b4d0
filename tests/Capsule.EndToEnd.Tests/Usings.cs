global using System.Net;
global using System.Net.Http.Json;
global using System.Text.Json.Nodes;
global using Capsule.Harness;
global using Capsule.Testing.Processes;
global using Xunit;
