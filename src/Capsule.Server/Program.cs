using Capsule.Server.Api;
using Capsule.Server.Api.Errors;
using Capsule.Server.Auth;
using Capsule.Server.Health;
using Capsule.Server.Hosting;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Capsule.Vm;

var builder = WebApplication.CreateBuilder(args);

builder.AddCapsuleHosting();
builder.Services.AddCapsuleErrors();
builder.Services.AddCapsuleStore();
builder.Services.AddCapsuleAuth();
builder.Services.AddCapsuleSessions();
builder.Services.AddCapsuleVm(builder.Configuration);

var app = builder.Build();

app.UseCapsuleErrors();
app.MapHealthApi();
app.MapSessionApi();
app.MapExecutionApi();

app.Run();
