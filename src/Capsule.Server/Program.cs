using Capsule.Server.Api;
using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Apps;
using Capsule.Server.Auth;
using Capsule.Server.Egress;
using Capsule.Server.Executions;
using Capsule.Server.Files;
using Capsule.Server.Health;
using Capsule.Server.Hosting;
using Capsule.Server.Mcp;
using Capsule.Server.Metrics;
using Capsule.Server.RateLimiting;
using Capsule.Server.Sessions;
using Capsule.Server.Sessions.Terminals;
using Capsule.Server.Store;
using Capsule.Vm;

var builder = WebApplication.CreateBuilder(args);

builder.AddCapsuleHosting();
builder.Services.AddCapsuleErrors();
builder.Services.AddCapsuleStore();
builder.Services.AddCapsuleAuth();
builder.Services.AddCapsuleRateLimiting(builder.Configuration);
builder.Services.AddCapsuleSessions();
builder.Services.AddCapsuleExecutions();
builder.Services.AddCapsuleFiles(builder.Configuration);
builder.Services.AddCapsuleOpenApi();
builder.Services.AddCapsuleMcp();
builder.Services.AddCapsuleVm(builder.Configuration);
builder.Services.AddCapsuleApps(builder.Configuration);
builder.Services.AddCapsuleEgress(builder.Configuration);
builder.Services.AddCapsuleMetrics(builder.Configuration);
builder.Services.AddCapsuleTerminals(builder.Configuration);

var app = builder.Build();

app.UseCapsuleErrors();
app.UseWebSockets();
app.UseCapsuleApps();
app.MapHealthApi();
app.MapMetricsApi();
app.MapCapsuleDocs();
app.MapSessionApi();
app.MapUsageApi();
app.MapSandboxApi();
app.MapExecutionApi();
app.MapExecutionQueryApi();
app.MapStreamApi();
app.MapFileApi();
app.MapApiKeyApi();
app.MapShareApi();
app.MapEgressApi();
app.MapPtyApi();
app.MapCapsuleMcp();

app.Run();
