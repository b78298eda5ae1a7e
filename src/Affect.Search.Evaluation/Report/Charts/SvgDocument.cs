using System.Text;

namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>
/// A minimal SVG writer: every attribute value goes through <see cref="SvgText"/>, so numbers are always
/// invariant-culture and text is always escaped, whatever the caller passes.
/// </summary>
internal sealed class SvgDocument
{
    public const string Namespace = "http://www.w3.org/2000/svg";
    public const string Ink = "#222222";
    public const string MutedInk = "#555555";

    private readonly StringBuilder _b = new();

    public SvgDocument(double width, double height)
    {
        string w = SvgText.Num(width), h = SvgText.Num(height);
        _b.Append("<svg xmlns=\"").Append(Namespace).Append("\" width=\"").Append(w).Append("\" height=\"").Append(h)
          .Append("\" viewBox=\"0 0 ").Append(w).Append(' ').Append(h)
          .Append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        Element("rect", null, null, ("class", "background"), ("x", 0d), ("y", 0d), ("width", width), ("height", height), ("fill", "#ffffff"));
    }

    /// <summary>Writes one element; <paramref name="tooltip"/> becomes a &lt;title&gt; child (browsers show it on hover).</summary>
    public void Element(string tag, string? text, string? tooltip, params (string Name, object? Value)[] attributes)
    {
        _b.Append('<').Append(tag);
        foreach (var (name, value) in attributes)
        {
            if (value is null) continue;
            _b.Append(' ').Append(name).Append("=\"")
              .Append(value is double d ? SvgText.Num(d) : SvgText.Escape(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)))
              .Append('"');
        }
        if (text is null && tooltip is null)
        {
            _b.Append("/>\n");
            return;
        }
        _b.Append('>');
        if (tooltip is not null) _b.Append("<title>").Append(SvgText.Escape(tooltip)).Append("</title>");
        if (text is not null) _b.Append(SvgText.Escape(text));
        _b.Append("</").Append(tag).Append(">\n");
    }

    public void Open(string tag, params (string Name, object? Value)[] attributes)
    {
        _b.Append('<').Append(tag);
        foreach (var (name, value) in attributes)
        {
            if (value is null) continue;
            _b.Append(' ').Append(name).Append("=\"")
              .Append(value is double d ? SvgText.Num(d) : SvgText.Escape(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)))
              .Append('"');
        }
        _b.Append(">\n");
    }

    public void Close(string tag) => _b.Append("</").Append(tag).Append(">\n");

    /// <summary>Raw, already well-formed markup (used for &lt;defs&gt; built from constants).</summary>
    public void Raw(string markup) => _b.Append(markup).Append('\n');

    public void Line(double x1, double y1, double x2, double y2, string stroke, double strokeWidth = 1, string? cls = null, string? dash = null)
        => Element("line", null, null, ("class", cls), ("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2),
            ("stroke", stroke), ("stroke-width", strokeWidth), ("stroke-dasharray", dash));

    /// <summary>
    /// Writes a label. When <paramref name="fullText"/> differs from the shown (shortened) text, the label is wrapped
    /// in a group whose &lt;title&gt; carries the full text, so nothing is lost and the text element itself
    /// still holds exactly what is drawn.
    /// </summary>
    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = Ink,
        bool bold = false, double rotate = 0, string? cls = null, string? fullText = null, bool italic = false)
    {
        bool wrap = fullText is not null && fullText != text;
        if (wrap) _b.Append("<g><title>").Append(SvgText.Escape(fullText)).Append("</title>");
        Element("text", text, null,
            ("class", cls), ("x", x), ("y", y),
            ("font-size", size == 12 ? null : (object)size),
            ("text-anchor", anchor == "start" ? null : anchor),
            ("font-weight", bold ? "bold" : null),
            ("font-style", italic ? "italic" : null),
            ("fill", fill),
            ("transform", rotate == 0 ? null : "rotate(" + SvgText.Num(rotate) + " " + SvgText.Num(x) + " " + SvgText.Num(y) + ")"));
        if (wrap) _b.Append("</g>\n");
    }

    public override string ToString() => _b.ToString() + "</svg>\n";
}
