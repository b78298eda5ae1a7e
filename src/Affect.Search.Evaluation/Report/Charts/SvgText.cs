using System.Globalization;
using System.Text;

namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>Number formatting, escaping and rough text metrics shared by the charts.</summary>
internal static class SvgText
{
    /// <summary>Appended to labels that had to be shortened.</summary>
    public const string Ellipsis = "\u2026";

    /// <summary>A coordinate: invariant culture, at most two decimals (sub-pixel precision beyond that only bloats the file).</summary>
    public static string Num(double v)
    {
        if (!double.IsFinite(v)) return "0";
        double r = Math.Round(v, 2);
        if (r == 0) r = 0; // avoids "-0"
        return r.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>A tick label: invariant culture, float noise such as 0.30000000000000004 rounded away.</summary>
    public static string Tick(double v)
    {
        double r = Math.Round(v, 10);
        if (r == 0) r = 0;
        return r.ToString("0.##########", CultureInfo.InvariantCulture);
    }

    /// <summary>A data value for tooltips: enough digits to tell close systems apart.</summary>
    public static string Value(double v)
        => double.IsNaN(v) ? "n/a" : v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>
    /// Escapes text for both element content and double-quoted attributes; characters that XML 1.0 cannot hold
    /// at all (control characters, lone surrogates) become U+FFFD so that the document always parses.
    /// </summary>
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s)) return string.Empty;
        var b = new StringBuilder(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '&': b.Append("&amp;"); break;
                case '<': b.Append("&lt;"); break;
                case '>': b.Append("&gt;"); break;
                case '"': b.Append("&quot;"); break;
                case '\'': b.Append("&#39;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        b.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF' || (c < ' ' && c != '\t' && c != '\n' && c != '\r'))
                    {
                        b.Append('\uFFFD');
                    }
                    else
                    {
                        b.Append(c);
                    }
                    break;
            }
        }
        return b.ToString();
    }

    /// <summary>
    /// Rough rendered width of <paramref name="s"/> in a sans-serif font (about 7.5 px per character at 12 px,
    /// calibrated on DejaVu Sans, the widest common default).
    /// Deliberately errs on the wide side: an overestimate costs a little margin, an underestimate clips text.
    /// </summary>
    public static double Width(string? s, double fontSize, bool bold = false)
    {
        if (string.IsNullOrEmpty(s)) return 0;
        double em = 0;
        foreach (char c in s)
        {
            if (char.IsLowSurrogate(c)) continue;
            em += c switch
            {
                'i' or 'l' or 'j' or 'I' or '.' or ',' or ':' or ';' or '|' or '!' or '\'' or ' ' => 0.34,
                'f' or 't' or 'r' or '(' or ')' or '[' or ']' or '-' => 0.44,
                'm' or 'w' or 'M' or 'W' or '@' or '%' => 0.95,
                >= 'A' and <= 'Z' => 0.75,
                >= '0' and <= '9' => 0.64,
                >= '\u1100' => 1.0, // CJK, emoji: full width
                _ => 0.62,
            };
        }
        return em * fontSize * (bold ? 1.14 : 1.0);
    }

    /// <summary>Shortens <paramref name="s"/> with an ellipsis so that it fits in <paramref name="maxWidth"/> pixels.</summary>
    public static string Fit(string? s, double maxWidth, double fontSize, bool bold = false)
    {
        s ??= string.Empty;
        if (Width(s, fontSize, bold) <= maxWidth) return s;
        if (Width(Ellipsis, fontSize, bold) > maxWidth) return string.Empty;
        int len = s.Length;
        while (len > 0)
        {
            len--;
            if (len > 0 && char.IsHighSurrogate(s[len - 1])) len--; // never split a surrogate pair
            string candidate = s[..len].TrimEnd() + Ellipsis;
            if (Width(candidate, fontSize, bold) <= maxWidth) return candidate;
        }
        return Ellipsis;
    }
}
