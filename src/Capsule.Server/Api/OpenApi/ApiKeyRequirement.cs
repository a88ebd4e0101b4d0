namespace Capsule.Server.Api.OpenApi;

/// <summary>Endpoint metadata: whether the endpoint takes an API key. Endpoints without it require one.</summary>
internal sealed class ApiKeyRequirement
{
    public static readonly ApiKeyRequirement None = new();
    public static readonly ApiKeyRequirement Optional = new();

    private ApiKeyRequirement()
    {
    }
}
