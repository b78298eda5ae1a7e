using System.Globalization;
using System.Xml.Linq;

namespace Affect.Search.Evaluation.Tests.Report;

/// <summary>Parsing helpers for the chart tests: the charts expose stable class names as test hooks.</summary>
internal static class ChartSvg
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Parses and checks the self-contained document shell every chart must have.</summary>
    public static XElement Parse(string svg)
    {
        var root = XDocument.Parse(svg).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        double w = Num(root, "width"), h = Num(root, "height");
        Assert.Equal($"0 0 {root.Attribute("width")!.Value} {root.Attribute("height")!.Value}", root.Attribute("viewBox")!.Value);
        Assert.Equal("sans-serif", root.Attribute("font-family")!.Value);
        var background = root.Elements(Svg + "rect").First();
        Assert.Equal("#ffffff", background.Attribute("fill")!.Value);
        Assert.Equal(w, Num(background, "width"));
        Assert.Equal(h, Num(background, "height"));
        return root;
    }

    public static IEnumerable<XElement> WithClass(XElement root, string cls)
        => root.Descendants().Where(e => (string?)e.Attribute("class") == cls);

    public static double Num(XElement e, string attribute)
        => double.Parse(e.Attribute(attribute)!.Value, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The drawn text of a text element (a shortened label's full text lives in its parent group's title).</summary>
    public static string Text(XElement e) => string.Concat(e.Nodes().OfType<XText>().Select(t => t.Value));

    /// <summary>Runs <paramref name="action"/> with a culture whose decimal separator is a comma.</summary>
    public static void UnderDecimalComma(Action action)
    {
        var saved = CultureInfo.CurrentCulture;
        var culture = (CultureInfo)CultureInfo.GetCultureInfo("de-DE").Clone();
        culture.NumberFormat.NumberDecimalSeparator = ","; // make sure even if ICU data differs
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture));
            action();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    /// <summary>Every attribute (coordinates, sizes, transforms, path data) must be free of decimal commas.</summary>
    public static void AssertNoCommaInAttributes(XElement root)
    {
        foreach (var a in root.DescendantsAndSelf().SelectMany(e => e.Attributes()))
            Assert.False(a.Value.Contains(','), $"{a.Parent!.Name.LocalName}/@{a.Name} = '{a.Value}'");
    }

    /// <summary>Anchor points of all visible text must lie on the canvas.</summary>
    public static void AssertTextAnchorsInside(XElement root)
    {
        double w = Num(root, "width"), h = Num(root, "height");
        foreach (var t in root.Descendants(Svg + "text"))
        {
            double x = Num(t, "x"), y = Num(t, "y");
            Assert.InRange(x, 0, w);
            Assert.InRange(y, 0, h);
        }
    }
}
