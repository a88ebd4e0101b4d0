global using System.Net;
global using Capsule.Client.Tests.Infrastructure;
global using Xunit;
