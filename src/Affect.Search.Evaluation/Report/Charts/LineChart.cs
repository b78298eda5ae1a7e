using System.Text;

namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>
/// Line chart: x values shared by all series (e.g. k = 1..20), y axis from 0 to a nice maximum (or 1 when all values
/// are in [0,1]), markers, optional shaded spread band, legend.
/// </summary>
/// <remarks>
/// Stable hooks: each series is one <c>path class="series-line"</c> (NaN values break the line into separate
/// <c>M</c> runs), markers have <c>class="marker"</c>, spread bands <c>path class="band"</c>.
/// Marker shapes cycle along with the colours so series stay apart in greyscale print too.
/// Points outside the axis (negative values) are pinned to its edge.
/// </remarks>
public static class LineChart
{
    private const double LabelSize = ChartFrame.LabelSize, Pad = ChartFrame.Pad;

    /// <summary>Renders the chart as a self-contained SVG document.</summary>
    /// <param name="title">Chart title, centred on top.</param>
    /// <param name="xTitle">X-axis title, e.g. "k".</param>
    /// <param name="yTitle">Y-axis title, e.g. "P@k".</param>
    /// <param name="x">The x values shared by all series; must be finite.</param>
    /// <param name="series">One line per series, one value per x value.</param>
    /// <param name="width">Canvas width in pixels.</param>
    /// <param name="height">Canvas height in pixels.</param>
    /// <exception cref="ArgumentException">An x value is not finite, or a series' length differs from x's.</exception>
    public static string Svg(string title, string xTitle, string yTitle, IReadOnlyList<double> x, IReadOnlyList<Series> series, int width = 700, int height = 420)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(series);
        ChartFrame.CheckCanvas(width, height);
        ChartFrame.CheckSeries(series, x.Count, "x values");
        if (x.Any(v => !double.IsFinite(v))) throw new ArgumentException("All x values must be finite.", nameof(x));
        title ??= string.Empty;
        xTitle ??= string.Empty;
        yTitle ??= string.Empty;
        int n = x.Count;

        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        // Rates share the [0, 1] scale so charts of the same metric compare at a glance.
        bool unitRange = finite.All(v => v >= 0 && v <= 1);
        double dataMax = ChartFrame.MaxWithSpread(series, n);

        var doc = new SvgDocument(width, height);
        double legendTop = ChartFrame.Title(doc, title, width);
        var legend = Legend.Measure(series, width - 2 * Pad, height * 0.3);
        double plotTop = legendTop + legend.Height + (legend.RowCount > 0 ? 12 : 6);
        double bottom = Pad + LabelSize + 12 + (string.IsNullOrEmpty(xTitle) ? 0 : LabelSize + 10);
        double plotHeight = height - bottom - plotTop;

        var yAxis = unitRange
            ? NiceAxis.Fixed(0, 1, ChartFrame.TargetTicks(plotHeight))
            : NiceAxis.FromZero(dataMax, ChartFrame.TargetTicks(plotHeight));

        double xMin = n == 0 ? 0 : x.Min(), xMax = n == 0 ? 1 : x.Max();
        if (xMax - xMin < 1e-12) { xMin -= 1; xMax += 1; } // a single x still needs a visible axis
        bool integers = x.All(v => v == Math.Round(v));

        double axisTitleRoom = string.IsNullOrEmpty(yTitle) ? 0 : LabelSize + 8;
        double left = Pad + axisTitleRoom + ChartFrame.TickLabelWidth(yAxis) + 10;
        // The last x tick label is centred on the plot's right edge, so half of it needs room there.
        double right = Pad + Math.Max(8, SvgText.Width(SvgText.Tick(xMax), LabelSize) / 2);
        double plotWidth = width - left - right;
        double widestX = Math.Max(SvgText.Width(SvgText.Tick(xMin), LabelSize), SvgText.Width(SvgText.Tick(xMax), LabelSize));
        var xAxis = NiceAxis.Fixed(xMin, xMax, (int)Math.Clamp(plotWidth / Math.Max(50, widestX + 24), 2, 12), integers);
        double plotBottom = plotTop + plotHeight;

        // Inset the data from the y axis so the first marker is not drawn on top of it.
        double inset = Math.Min(10, plotWidth * 0.03);
        double X(double v) => left + inset + (v - xMin) / (xMax - xMin) * (plotWidth - 2 * inset);
        double Y(double v) => plotBottom - Math.Clamp(v, yAxis.Min, yAxis.Max) / yAxis.Max * plotHeight;

        ChartFrame.YAxis(doc, yAxis, left, plotTop, plotWidth, plotHeight, yTitle);
        foreach (double t in xAxis.Ticks())
        {
            double px = X(t);
            doc.Line(px, plotBottom, px, plotBottom + 4, Palette.Axis);
            doc.Text(px, plotBottom + 8 + LabelSize, SvgText.Tick(t), LabelSize, "middle", SvgDocument.MutedInk, cls: "tick");
        }
        doc.Line(left, plotBottom, left + plotWidth, plotBottom, Palette.Axis, 1, "axis");
        if (!string.IsNullOrEmpty(xTitle))
        {
            string shown = SvgText.Fit(xTitle, plotWidth, LabelSize, bold: true);
            doc.Text(left + plotWidth / 2, height - Pad - 2, shown, LabelSize, "middle", bold: true, cls: "axis-title", fullText: xTitle);
        }

        double markerSize = Math.Clamp(n == 0 ? 3.5 : plotWidth / n / 4, 1.8, 3.5);

        // Bands first so every line and marker is drawn on top of all of them.
        for (int s = 0; s < series.Count; s++)
        {
            if (series[s].Spread is null) continue;
            foreach (var run in Runs(series[s], n, requireSpread: true))
            {
                var d = new StringBuilder();
                for (int j = 0; j < run.Count; j++)
                {
                    int i = run[j];
                    d.Append(j == 0 ? "M " : " L ").Append(SvgText.Num(X(x[i]))).Append(' ')
                     .Append(SvgText.Num(Y(series[s].Values[i] + ChartFrame.SpreadAt(series[s], i))));
                }
                for (int j = run.Count - 1; j >= 0; j--)
                {
                    int i = run[j];
                    d.Append(" L ").Append(SvgText.Num(X(x[i]))).Append(' ')
                     .Append(SvgText.Num(Y(series[s].Values[i] - ChartFrame.SpreadAt(series[s], i))));
                }
                d.Append(" Z");
                doc.Element("path", null, null, ("class", "band"), ("d", d.ToString()), ("fill", Palette.Colour(s)), ("fill-opacity", 0.18d), ("stroke", "none"));
            }
        }

        for (int s = 0; s < series.Count; s++)
        {
            string colour = Palette.Colour(s);
            var d = new StringBuilder();
            foreach (var run in Runs(series[s], n, requireSpread: false))
                for (int j = 0; j < run.Count; j++)
                {
                    if (d.Length > 0) d.Append(' ');
                    d.Append(j == 0 ? "M " : "L ").Append(SvgText.Num(X(x[run[j]]))).Append(' ').Append(SvgText.Num(Y(series[s].Values[run[j]])));
                }
            doc.Element("path", null, series[s].Name, ("class", "series-line"), ("d", d.ToString()), ("fill", "none"),
                ("stroke", colour), ("stroke-width", 2d), ("stroke-linejoin", "round"), ("stroke-linecap", "round"));
            for (int i = 0; i < n; i++)
            {
                double v = series[s].Values[i];
                if (!double.IsFinite(v)) continue;
                double spread = ChartFrame.SpreadAt(series[s], i);
                string tip = $"{series[s].Name}: x = {SvgText.Tick(x[i])}, y = {SvgText.Value(v)}" + (spread > 0 ? $" \u00b1 {SvgText.Value(spread)}" : "");
                Marker(doc, s, X(x[i]), Y(v), markerSize, colour, tip);
            }
        }

        legend.Draw(doc, width / 2.0, legendTop, (i, lx, cy) =>
        {
            doc.Line(lx, cy, lx + Legend.KeyWidth, cy, Palette.Colour(i), 2, "legend-key");
            Marker(doc, i, lx + Legend.KeyWidth / 2, cy, 3.2, Palette.Colour(i), null, "legend-marker");
        });
        return doc.ToString();
    }

    /// <summary>Index runs of consecutive drawable points; a missing value (or spread, for bands) ends a run.</summary>
    private static IEnumerable<List<int>> Runs(Series s, int n, bool requireSpread)
    {
        var run = new List<int>();
        for (int i = 0; i < n; i++)
        {
            bool ok = double.IsFinite(s.Values[i]) && (!requireSpread || (s.Spread is not null && double.IsFinite(s.Spread[i])));
            if (ok) { run.Add(i); continue; }
            if (run.Count > 0) yield return run;
            run = [];
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>Circle, square, triangle, diamond in turn, matching the colour cycle index.</summary>
    private static void Marker(SvgDocument doc, int series, double cx, double cy, double r, string colour, string? tooltip, string cls = "marker")
    {
        switch (series % 4)
        {
            case 0:
                doc.Element("circle", null, tooltip, ("class", cls), ("cx", cx), ("cy", cy), ("r", r), ("fill", colour), ("stroke", "#ffffff"), ("stroke-width", 0.8d));
                break;
            case 1:
                doc.Element("rect", null, tooltip, ("class", cls), ("x", cx - r), ("y", cy - r), ("width", 2 * r), ("height", 2 * r), ("fill", colour), ("stroke", "#ffffff"), ("stroke-width", 0.8d));
                break;
            case 2:
                double t = r * 1.25;
                doc.Element("path", null, tooltip, ("class", cls), ("d", $"M {SvgText.Num(cx)} {SvgText.Num(cy - t)} L {SvgText.Num(cx + t)} {SvgText.Num(cy + t * 0.8)} L {SvgText.Num(cx - t)} {SvgText.Num(cy + t * 0.8)} Z"),
                    ("fill", colour), ("stroke", "#ffffff"), ("stroke-width", 0.8d));
                break;
            default:
                double q = r * 1.35;
                doc.Element("path", null, tooltip, ("class", cls), ("d", $"M {SvgText.Num(cx)} {SvgText.Num(cy - q)} L {SvgText.Num(cx + q)} {SvgText.Num(cy)} L {SvgText.Num(cx)} {SvgText.Num(cy + q)} L {SvgText.Num(cx - q)} {SvgText.Num(cy)} Z"),
                    ("fill", colour), ("stroke", "#ffffff"), ("stroke-width", 0.8d));
                break;
        }
    }
}
