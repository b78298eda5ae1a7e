using System.Text;

namespace Affect.Search.Cli.Output;

/// <summary>
/// Makes stored or user-given text (ids, item text, labels, paths, error messages quoting them) safe to print
/// for a human: control characters (C0, DEL, C1: the start of every terminal escape sequence) and the Unicode
/// bidirectional overrides are shown as backslash escapes, so no data can move the cursor, retitle the
/// window or reorder what the terminal shows. JSON output needs none of this: its encoder escapes them.
/// </summary>
public static class TerminalText
{
    /// <summary><paramref name="text"/> with every control character and bidirectional control shown as \n, \t, \xHH or \uHHHH.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (!text.EnumerateRunes().Any(NeedsEscape) && !HasUnpairedSurrogate(text)) return text;
        var b = new StringBuilder(text.Length + 16);
        // Enumerating runes turns an unpaired surrogate into U+FFFD, which a terminal shows harmlessly.
        foreach (var rune in text.EnumerateRunes())
        {
            if (!NeedsEscape(rune)) { b.Append(rune.ToString()); continue; }
            b.Append(rune.Value switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                <= 0xFF => $"\\x{rune.Value:x2}",
                _ => $"\\u{rune.Value:x4}",
            });
        }
        return b.ToString();
    }

    /// <summary>Writes "affect: " and <paramref name="message"/>, escaped, as one line on standard error.</summary>
    public static void WriteError(string message) => Console.Error.WriteLine("affect: " + Escape(message));

    private static bool NeedsEscape(Rune rune) => Rune.IsControl(rune) || rune.Value is 0x061C or 0x200E or 0x200F
        or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    private static bool HasUnpairedSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }
}
