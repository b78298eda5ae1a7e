using Affect.Search.Evaluation.Report.Charts;
using static Affect.Search.Evaluation.Tests.Report.ChartSvg;

namespace Affect.Search.Evaluation.Tests.Report;

public class BarChartTests
{
    private static readonly string[] Categories = ["anger", "fear", "joy"];

    [Fact]
    public void Draws_one_bar_per_non_NaN_value_and_an_na_mark_per_NaN()
    {
        var series = new[]
        {
            new Series("A", [0.5, double.NaN, 0.25]),
            new Series("B", [0.1, 0.2, 0.3]),
        };
        var root = Parse(BarChart.Svg("MAP@20", "MAP@20", Categories, series));

        Assert.Equal(5, WithClass(root, "bar").Count());
        var na = Assert.Single(WithClass(root, "na"));
        Assert.Equal("n/a", Text(na));
        Assert.Equal(Categories, WithClass(root, "category").Select(Text));
    }

    [Fact]
    public void Bar_heights_are_proportional_to_values_and_share_a_baseline()
    {
        var root = Parse(BarChart.Svg("t", "y", ["a", "b"], [new Series("s", [0.2, 0.6])]));
        var bars = WithClass(root, "bar").ToList();

        Assert.Equal(2, bars.Count);
        Assert.Equal(3.0, Num(bars[1], "height") / Num(bars[0], "height"), 2);
        Assert.Equal(Num(bars[0], "y") + Num(bars[0], "height"), Num(bars[1], "y") + Num(bars[1], "height"), 1);
        Assert.True(Num(bars[1], "x") > Num(bars[0], "x"));
    }

    [Fact]
    public void Axis_reaches_a_nice_maximum_above_the_highest_error_bar()
    {
        var root = Parse(BarChart.Svg("t", "y", ["a", "b"], [new Series("s", [0.5, 0.7], [0.05, 0.25])]));
        var ticks = WithClass(root, "tick").Select(t => double.Parse(Text(t), System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(0, ticks.Min());
        Assert.True(ticks.Max() >= 0.95, $"top tick {ticks.Max()}");
        Assert.Equal(2, WithClass(root, "error-bar").Count());
    }

    [Fact]
    public void Text_is_escaped_and_round_trips()
    {
        const string title = "MAP & \"friends\" <20>";
        const string category = "a&b <c>";
        const string name = "x<y & 'z'";
        string svg = BarChart.Svg(title, "y < 1 & more", [category, "plain"], [new Series(name, [0.1, 0.2])]);

        Assert.DoesNotContain("<c>", svg);
        Assert.DoesNotContain("& ", svg);
        var root = Parse(svg);
        Assert.Equal(title, Text(Assert.Single(WithClass(root, "title"))));
        Assert.Equal("y < 1 & more", Text(Assert.Single(WithClass(root, "axis-title"))));
        Assert.Equal(category, Text(WithClass(root, "category").First()));
        Assert.Equal(name, Text(Assert.Single(WithClass(root, "legend"))));
    }

    [Fact]
    public void Long_category_labels_are_rotated_or_shortened_and_stay_on_the_canvas()
    {
        var categories = Enumerable.Range(0, 12).Select(i => $"a rather long category name number {i} that goes on").ToList();
        var root = Parse(BarChart.Svg("t", "y", categories, [new Series("s", categories.Select((_, i) => (double)i).ToList())]));
        var labels = WithClass(root, "category").ToList();

        Assert.All(labels, l => Assert.Contains("rotate(", l.Attribute("transform")!.Value));
        Assert.All(labels, l => Assert.EndsWith("\u2026", Text(l)));
        // The full text is kept as a tooltip on the label's group.
        Assert.Equal(categories[0], labels[0].Parent!.Element(Svg + "title")!.Value);
        AssertTextAnchorsInside(root);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => BarChart.Svg("t", "y", Categories, [new Series("s", [1.0, 2.0])]));
        Assert.Throws<ArgumentException>(() => BarChart.Svg("t", "y", Categories, [new Series("s", [1.0, 2.0, 3.0], [0.1])]));
    }

    [Fact]
    public void Numbers_are_invariant_under_a_decimal_comma_culture()
    {
        UnderDecimalComma(() =>
        {
            var root = Parse(BarChart.Svg("t", "y", Categories, [new Series("s", [0.123, 0.456, double.NaN], [0.011, 0.022, 0.0])]));
            AssertNoCommaInAttributes(root);
            Assert.Contains(WithClass(root, "tick"), t => Text(t).Contains('.'));
        });
    }
}
