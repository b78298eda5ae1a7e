using System.Globalization;
using Affect.Search.Evaluation.Report.Charts;
using static Affect.Search.Evaluation.Tests.Report.ChartSvg;

namespace Affect.Search.Evaluation.Tests.Report;

public class LineChartTests
{
    private static readonly double[] K = Enumerable.Range(1, 20).Select(k => (double)k).ToArray();

    private static List<double> Points(System.Xml.Linq.XElement path)
        => path.Attribute("d")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(t => t is not ("M" or "L")).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public void Draws_one_line_per_series_with_a_point_per_x_value()
    {
        var series = new[]
        {
            new Series("text\u2192image", K.Select(k => 1 / k).ToList()),
            new Series("random", K.Select(_ => 0.1).ToList(), K.Select(_ => 0.02).ToList()),
        };
        var root = Parse(LineChart.Svg("P@k", "k", "precision", K, series));
        var lines = WithClass(root, "series-line").ToList();

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(2 * K.Length, Points(l).Count));
        Assert.Equal(2 * K.Length, WithClass(root, "marker").Count());
        Assert.Single(WithClass(root, "band"));
        Assert.Equal(["text\u2192image", "random"], WithClass(root, "legend").Select(Text));

        // x grows left to right; the 1/k series falls (SVG y grows downwards).
        var p = Points(lines[0]);
        Assert.True(p[2] > p[0] && p[3] > p[1]);
    }

    [Fact]
    public void Rates_use_a_zero_to_one_axis_and_larger_values_a_nice_maximum()
    {
        var rates = Parse(LineChart.Svg("t", "k", "y", K, [new Series("s", K.Select(k => k / 100).ToList())]));
        Assert.Equal("1", Text(WithClass(rates, "tick").Where(t => t.Attribute("text-anchor")?.Value == "end").Last()));

        var big = Parse(LineChart.Svg("t", "k", "y", K, [new Series("s", K.Select(k => k * 3.3).ToList())]));
        var yTicks = WithClass(big, "tick").Where(t => t.Attribute("text-anchor")?.Value == "end")
            .Select(t => double.Parse(Text(t), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(0, yTicks[0]);
        Assert.InRange(yTicks[^1], 66, 100);
    }

    [Fact]
    public void NaN_breaks_the_line_and_draws_no_marker()
    {
        var values = K.Select(k => k == 5 ? double.NaN : 0.5).ToList();
        var root = Parse(LineChart.Svg("t", "k", "y", K, [new Series("s", values)]));
        var d = Assert.Single(WithClass(root, "series-line")).Attribute("d")!.Value;

        Assert.Equal(2, d.Split(' ').Count(t => t == "M"));
        Assert.Equal(K.Length - 1, d.Split(' ').Count(t => t is "M" or "L"));
        Assert.Equal(K.Length - 1, WithClass(root, "marker").Count());
    }

    [Fact]
    public void Text_is_escaped_and_bad_input_rejected()
    {
        var root = Parse(LineChart.Svg("a < b & c", "k \"top\"", "y", [1.0, 2.0], [new Series("<s>", [0.1, 0.2])]));
        Assert.Equal("a < b & c", Text(Assert.Single(WithClass(root, "title"))));
        Assert.Equal("<s>", Text(Assert.Single(WithClass(root, "legend"))));

        Assert.Throws<ArgumentException>(() => LineChart.Svg("t", "k", "y", [1.0, 2.0], [new Series("s", [0.1])]));
        Assert.Throws<ArgumentException>(() => LineChart.Svg("t", "k", "y", [1.0, double.NaN], [new Series("s", [0.1, 0.2])]));
    }

    [Fact]
    public void Numbers_are_invariant_under_a_decimal_comma_culture()
    {
        UnderDecimalComma(() =>
        {
            var root = Parse(LineChart.Svg("t", "k", "y", [0.5, 1.5, 2.5], [new Series("s", [0.11, 0.22, 0.33], [0.01, 0.02, 0.03])]));
            AssertNoCommaInAttributes(root);
            Assert.All(WithClass(root, "tick"), t => Assert.DoesNotContain(",", Text(t)));
            AssertTextAnchorsInside(root);
        });
    }
}
