namespace Capsule.Server.Auth;

/// <summary>Where the one-time admin key banner goes: stdout, never the log.</summary>
internal sealed class BannerWriter
{
    public TextWriter Output { get; init; } = Console.Out;

    public void Write(string title, string secret, string footer)
    {
        var rule = new string('=', 78);
        Output.WriteLine(rule);
        Output.WriteLine(" " + title);
        Output.WriteLine();
        Output.WriteLine("   " + secret);
        Output.WriteLine();
        Output.WriteLine(" " + footer);
        Output.WriteLine(rule);
        Output.Flush();
    }
}
