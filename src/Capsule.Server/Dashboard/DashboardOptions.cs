namespace Capsule.Server.Dashboard;

/// <summary><c>Capsule:Dashboard</c>: the dashboard at <c>/ui/</c>: where its built assets are, how long a sign-in lasts.</summary>
internal sealed class DashboardOptions
{
    public const string SectionName = "Capsule:Dashboard";

    /// <summary>A sign-in ends this long after it started (default 12 h); the page then asks for the key again.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>At most this many live sign-ins; the one closest to its end makes room for a new one.</summary>
    public int MaxSignins { get; set; } = 10_000;

    /// <summary>
    /// The built assets (<c>make build</c> runs esbuild over <c>ui/</c> into <c>ui/dist</c>, which the server's build
    /// copies to <c>wwwroot/ui</c> beside it). Empty means that default.
    /// </summary>
    public string AssetsDirectory { get; set; } = "";

    /// <summary>False removes the dashboard (<c>/ui/</c> and its routes answer 404).</summary>
    public bool Enabled { get; set; } = true;

    public string ResolvedAssetsDirectory =>
        AssetsDirectory.Length > 0 ? AssetsDirectory : Path.Combine(AppContext.BaseDirectory, "wwwroot", "ui");
}
