using System.Text;

namespace Capsule.Vm.Agent;

/// <summary>
/// Strings that come from the guest (error messages, versions, unknown kinds) are untrusted: they are clipped before
/// the host keeps, logs or returns them, and control characters (newlines too) are replaced so they cannot forge log lines.
/// </summary>
internal static class GuestText
{
    /// <summary>The most characters of an agent's error message the host keeps.</summary>
    public const int MaxMessageChars = 1024;

    /// <summary><paramref name="text"/> cut to <paramref name="maxChars"/> (with "..." when cut), control characters as '?'.</summary>
    public static string Clip(string? text, int maxChars = MaxMessageChars)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var cut = text.Length > maxChars;
        var builder = new StringBuilder(Math.Min(text.Length, maxChars) + 3);
        foreach (var c in cut ? text.AsSpan(0, maxChars) : text.AsSpan())
            builder.Append(char.IsControl(c) ? '?' : c);
        if (cut)
            builder.Append("...");
        return builder.ToString();
    }
}
