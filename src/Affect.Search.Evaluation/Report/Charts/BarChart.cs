namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>
/// Grouped vertical bar chart: one group per category (x labels), one bar per series in each group, optional error
/// bars (+-spread), y axis from 0 to a nice maximum with gridlines and tick labels, legend, title, axis titles.
/// Long category labels are rotated or truncated with an ellipsis so they never overlap.
/// NaN values draw no bar and a small "n/a" mark.
/// </summary>
/// <remarks>
/// Stable hooks for tests and styling: bars are <c>rect class="bar"</c>, error bars <c>class="error-bar"</c>,
/// missing values <c>text class="na"</c>, category labels <c>text class="category"</c>.
/// Negative values are drawn as zero-height bars (the axis starts at 0); infinities count as missing.
/// </remarks>
public static class BarChart
{
    private const double LabelSize = ChartFrame.LabelSize, Pad = ChartFrame.Pad;

    /// <summary>Renders the chart as a self-contained SVG document.</summary>
    /// <param name="title">Chart title, centred on top.</param>
    /// <param name="yTitle">Y-axis title, e.g. "MAP@20".</param>
    /// <param name="categories">Group labels along the x axis.</param>
    /// <param name="series">One bar per series in every group; each has one value per category.</param>
    /// <param name="width">Canvas width in pixels.</param>
    /// <param name="height">Canvas height in pixels.</param>
    /// <exception cref="ArgumentException">A series' value or spread count differs from the category count.</exception>
    public static string Svg(string title, string yTitle, IReadOnlyList<string> categories, IReadOnlyList<Series> series, int width = 900, int height = 420)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        ChartFrame.CheckCanvas(width, height);
        ChartFrame.CheckSeries(series, categories.Count, "categories");
        title ??= string.Empty;
        yTitle ??= string.Empty;
        int nCat = categories.Count, nSer = series.Count;

        double dataMax = ChartFrame.MaxWithSpread(series, nCat);

        var doc = new SvgDocument(width, height);
        double y0 = ChartFrame.Title(doc, title, width);
        var legend = Legend.Measure(series, width - 2 * Pad, height * 0.3);
        double legendTop = y0;
        double plotTop = legendTop + legend.Height + (legend.RowCount > 0 ? 12 : 6);

        // Layout is circular (label room depends on bar width, which depends on the margins), so settle it in a few passes.
        var axis = NiceAxis.FromZero(dataMax, ChartFrame.TargetTicks(height - plotTop - 60));
        double axisTitleRoom = string.IsNullOrEmpty(yTitle) ? 0 : LabelSize + 8;
        double left = Pad + axisTitleRoom + ChartFrame.TickLabelWidth(axis) + 10;
        double right = Pad + 6;
        CategoryLabels labels = default;
        for (int pass = 0; pass < 3; pass++)
        {
            double plotW = width - left - right;
            labels = CategoryLabels.Layout(categories, plotW, height);
            double need = Pad + labels.LeftOverhang;
            if (need <= left) break;
            left = need;
        }
        double plotWidth = width - left - right;
        double plotBottom = height - Pad - labels.Height;
        double plotHeight = plotBottom - plotTop;
        axis = NiceAxis.FromZero(dataMax, ChartFrame.TargetTicks(plotHeight));

        ChartFrame.YAxis(doc, axis, left, plotTop, plotWidth, plotHeight, yTitle);
        legend.Draw(doc, width / 2.0, legendTop, (i, x, cy) =>
            doc.Element("rect", null, null, ("class", "legend-key"), ("x", x), ("y", cy - 6), ("width", 14d), ("height", 12d), ("fill", Palette.Colour(i))));

        double group = nCat == 0 ? 0 : plotWidth / nCat;
        double barSlot = nSer == 0 ? 0 : group * 0.8 / nSer;
        double gap = Math.Min(2, barSlot * 0.15); // thin white gap so adjacent bars stay distinguishable
        double barWidth = barSlot - gap;

        for (int c = 0; c < nCat; c++)
        {
            double groupX = left + c * group;
            for (int s = 0; s < nSer; s++)
            {
                double v = series[s].Values[c];
                double x = groupX + group * 0.1 + s * barSlot + gap / 2;
                double cx = x + barWidth / 2;
                string name = series[s].Name ?? string.Empty;
                if (!double.IsFinite(v))
                {
                    NotAvailable(doc, cx, plotBottom, barWidth);
                    continue;
                }
                double h = Math.Max(0, v) / axis.Max * plotHeight;
                double spread = ChartFrame.SpreadAt(series[s], c);
                string tip = $"{name} \u2013 {categories[c]}: {SvgText.Value(v)}" + (spread > 0 ? $" \u00b1 {SvgText.Value(spread)}" : "");
                doc.Element("rect", null, tip, ("class", "bar"), ("x", x), ("y", plotBottom - h), ("width", barWidth), ("height", h), ("fill", Palette.Colour(s)));
                if (spread > 0) ErrorBar(doc, cx, v, spread, barWidth, axis, plotBottom, plotHeight);
            }
        }

        doc.Line(left, plotBottom, left + plotWidth, plotBottom, Palette.Axis, 1, "axis");
        labels.Draw(doc, categories, left, group, plotBottom);
        return doc.ToString();
    }

    private static void ErrorBar(SvgDocument doc, double cx, double v, double spread, double barWidth, NiceAxis axis, double plotBottom, double plotHeight)
    {
        double Y(double value) => plotBottom - Math.Clamp(value, 0, axis.Max) / axis.Max * plotHeight;
        double lo = Y(v - spread), hi = Y(v + spread);
        double cap = Math.Clamp(barWidth * 0.35, 2, 6);
        doc.Open("g", ("class", "error-bar"), ("stroke", "#222222"), ("stroke-width", 1.2d));
        doc.Element("line", null, null, ("x1", cx), ("y1", lo), ("x2", cx), ("y2", hi));
        doc.Element("line", null, null, ("x1", cx - cap), ("y1", hi), ("x2", cx + cap), ("y2", hi));
        doc.Element("line", null, null, ("x1", cx - cap), ("y1", lo), ("x2", cx + cap), ("y2", lo));
        doc.Close("g");
    }

    /// <summary>A small grey "n/a" where the bar would stand, upright when the bar is too narrow for horizontal text.</summary>
    private static void NotAvailable(SvgDocument doc, double cx, double plotBottom, double barWidth)
    {
        const double size = 10;
        if (barWidth >= SvgText.Width("n/a", size) + 2)
            doc.Text(cx, plotBottom - 4, "n/a", size, "middle", "#666666", cls: "na", italic: true);
        else
            doc.Text(cx + size * 0.35, plotBottom - 4, "n/a", size, "start", "#666666", rotate: -90, cls: "na", italic: true);
    }

    /// <summary>How the category labels fit under the groups: horizontal, at 45 degrees, or vertical (thinned if need be).</summary>
    private readonly record struct CategoryLabels(double Angle, double MaxWidth, int Every, double Height, double LeftOverhang)
    {
        public static CategoryLabels Layout(IReadOnlyList<string> categories, double plotWidth, double canvasHeight)
        {
            if (categories.Count == 0) return new CategoryLabels(0, 0, 1, LabelSize + 12, 0);
            double group = plotWidth / categories.Count;
            double widest = categories.Max(c => SvgText.Width(c, LabelSize));
            if (widest <= group - 6) return new CategoryLabels(0, group - 6, 1, LabelSize + 12, 0);

            // Rotated labels may take at most about a quarter of the canvas height; longer ones get an ellipsis.
            double room = canvasHeight * 0.26;
            if (group >= LabelSize * 1.5)
            {
                // At 45 degrees neighbours are group * sin(45) apart perpendicular to the text, enough above ~17 px.
                double maxW = Math.Min(widest, room / Math.Sin(Math.PI / 4));
                double h = maxW * Math.Sin(Math.PI / 4) + LabelSize + 12;
                double overhang = maxW * Math.Cos(Math.PI / 4) - group / 2 + 4;
                return new CategoryLabels(-45, maxW, 1, h, Math.Max(0, overhang));
            }
            double maxV = Math.Min(widest, room);
            int every = (int)Math.Ceiling((LabelSize + 2) / group); // vertical text still needs a line height per label
            return new CategoryLabels(-90, maxV, every, maxV + 14, 0);
        }

        public void Draw(SvgDocument doc, IReadOnlyList<string> categories, double left, double group, double plotBottom)
        {
            for (int c = 0; c < categories.Count; c++)
            {
                double cx = left + (c + 0.5) * group;
                doc.Line(cx, plotBottom, cx, plotBottom + 4, Palette.Axis);
                if (c % Every != 0) continue;
                string full = categories[c] ?? string.Empty;
                string shown = SvgText.Fit(full, MaxWidth, LabelSize);
                if (Angle == 0)
                    doc.Text(cx, plotBottom + 8 + LabelSize, shown, LabelSize, "middle", cls: "category", fullText: full);
                else if (Angle == -45)
                    doc.Text(cx + 4, plotBottom + 10, shown, LabelSize, "end", rotate: -45, cls: "category", fullText: full);
                else
                    doc.Text(cx + LabelSize * 0.35, plotBottom + 8, shown, LabelSize, "end", rotate: -90, cls: "category", fullText: full);
            }
        }
    }
}
