using Affect.Search.Evaluation.Report.Charts;
using static Affect.Search.Evaluation.Tests.Report.ChartSvg;

namespace Affect.Search.Evaluation.Tests.Report;

public class HeatmapTests
{
    private static readonly string[] Classes = ["anger", "fear & dread", "<joy>"];
    private static readonly int[,] Counts = { { 50, 3, 0 }, { 4, 20, 6 }, { 0, 1, 16 } };

    [Fact]
    public void Draws_a_cell_per_class_pair_with_the_input_counts()
    {
        var root = Parse(Heatmap.ConfusionSvg("Confusion", Classes, Counts));

        Assert.Equal(9, WithClass(root, "cell").Count());
        var printed = WithClass(root, "count").Select(t => int.Parse(Text(t))).ToList();
        Assert.Equal(Counts.Cast<int>().ToList(), printed); // row-major, like the matrix
    }

    [Fact]
    public void Subtitle_reports_overall_accuracy()
    {
        var root = Parse(Heatmap.ConfusionSvg("Confusion", Classes, Counts));
        // (50 + 20 + 16) / 100
        Assert.Contains("86.0%", Text(Assert.Single(WithClass(root, "subtitle"))));
    }

    [Fact]
    public void Shade_follows_the_row_share_and_dark_cells_get_white_text()
    {
        int[,] counts = { { 100, 0 }, { 1, 1 } };
        var root = Parse(Heatmap.ConfusionSvg("t", ["a", "b"], counts));
        var cells = WithClass(root, "cell").ToList();
        var texts = WithClass(root, "count").ToList();

        Assert.Equal("#ffffff", texts[0].Attribute("fill")!.Value);   // 100% of its row: darkest
        Assert.NotEqual("#ffffff", texts[1].Attribute("fill")!.Value); // 0%: lightest
        // Row-normalised: 1 of 2 shades alike in both cells of the second row, whatever the absolute count.
        Assert.Equal(cells[2].Attribute("fill")!.Value, cells[3].Attribute("fill")!.Value);
        Assert.NotEqual(cells[0].Attribute("fill")!.Value, cells[2].Attribute("fill")!.Value);
    }

    [Fact]
    public void Class_names_are_escaped_and_appear_on_both_axes()
    {
        string svg = Heatmap.ConfusionSvg("A & B", Classes, Counts);
        Assert.DoesNotContain("<joy>", svg);
        var root = Parse(svg);

        Assert.Equal(Classes, WithClass(root, "row-label").Select(Text));
        Assert.Equal(Classes, WithClass(root, "col-label").Select(Text));
        Assert.Equal("A & B", Text(Assert.Single(WithClass(root, "title"))));
        AssertTextAnchorsInside(root);
    }

    [Fact]
    public void Non_square_or_negative_matrices_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Heatmap.ConfusionSvg("t", Classes, new int[3, 2]));
        Assert.Throws<ArgumentException>(() => Heatmap.ConfusionSvg("t", ["a"], new[,] { { -1 } }));
    }

    [Fact]
    public void Numbers_are_invariant_under_a_decimal_comma_culture()
    {
        UnderDecimalComma(() =>
        {
            var root = Parse(Heatmap.ConfusionSvg("t", Classes, Counts, cellSize: 37));
            AssertNoCommaInAttributes(root);
            Assert.DoesNotContain(",", Text(Assert.Single(WithClass(root, "subtitle"))));
        });
    }
}
