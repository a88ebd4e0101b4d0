namespace Capsule.Server.Api.Responses;

/// <summary>The dashboard's sign-in: the CSRF token its requests carry in <c>X-Capsule-Csrf</c>, and whose key it is.</summary>
internal sealed record DashboardSigninResponse(string CsrfToken, string KeyId, bool IsAdmin, string ExpiresAt);
