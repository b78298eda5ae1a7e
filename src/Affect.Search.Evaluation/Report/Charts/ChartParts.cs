namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>Colours: the Okabe-Ito palette, distinguishable under the common colour-vision deficiencies.</summary>
internal static class Palette
{
    // Yellow is last but one: it has the least contrast on white, so it is used only with seven or more series.
    private static readonly string[] Colours =
    [
        "#0072B2", // blue
        "#E69F00", // orange
        "#009E73", // bluish green
        "#D55E00", // vermillion
        "#CC79A7", // reddish purple
        "#56B4E9", // sky blue
        "#F0E442", // yellow
        "#000000", // black
    ];

    public static string Colour(int index) => Colours[index % Colours.Length];

    public const string Grid = "#e3e3e3";
    public const string Axis = "#444444";
}

/// <summary>A linear axis from 0 (or a start) to a "nice" maximum with evenly spaced ticks.</summary>
internal readonly record struct NiceAxis(double Min, double Max, double Step)
{
    /// <summary>0 to a nice number at or above <paramref name="dataMax"/>, about <paramref name="targetTicks"/> intervals.</summary>
    public static NiceAxis FromZero(double dataMax, int targetTicks)
    {
        if (!double.IsFinite(dataMax) || dataMax <= 0) dataMax = 1;
        double step = NiceStep(dataMax / targetTicks, integer: false);
        double max = Math.Ceiling(dataMax / step - 1e-9) * step;
        return new NiceAxis(0, max, step);
    }

    /// <summary>A fixed range with nice tick spacing (used for the [0, 1] axis of rates).</summary>
    public static NiceAxis Fixed(double min, double max, int targetTicks, bool integer = false)
        => new(min, max, NiceStep((max - min) / targetTicks, integer));

    /// <summary>1, 2, 2.5 or 5 times a power of ten; 2.5 is skipped for integer data (k = 1..20 must not get a tick at 2.5).</summary>
    public static double NiceStep(double raw, bool integer)
    {
        if (!double.IsFinite(raw) || raw <= 0) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / magnitude;
        double[] mantissas = integer && magnitude < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
        double m = mantissas.First(x => x >= f - 1e-9);
        double step = m * magnitude;
        return integer ? Math.Max(1, Math.Round(step)) : step;
    }

    /// <summary>Tick positions inside [Min, Max], computed by multiplication so errors do not accumulate.</summary>
    public IEnumerable<double> Ticks()
    {
        double first = Math.Ceiling(Min / Step - 1e-9);
        for (double i = first; i * Step <= Max + Step * 1e-9; i++) yield return i * Step;
    }

    public double Span => Max - Min;
}

/// <summary>A wrapped, centred row layout of legend entries (coloured key + name) placed above the plot.</summary>
internal sealed class Legend
{
    public const double KeyWidth = 14, KeyGap = 6, EntryGap = 20, RowHeight = 18, FontSize = 12;

    private readonly List<(int Index, string Shown, string Full, double Width)>[] _rows;

    private Legend(List<(int, string, string, double)>[] rows) => _rows = rows;

    public int RowCount => _rows.Length;
    public double Height => _rows.Length * RowHeight;

    /// <summary>
    /// Lays entries out greedily in rows no wider than <paramref name="maxWidth"/>. When that takes more than
    /// <paramref name="maxHeight"/>, names are shortened step by step so more fit per row: the plot matters more
    /// than the full series names, which stay available as tooltips.
    /// </summary>
    public static Legend Measure(IReadOnlyList<Series> series, double maxWidth, double maxHeight)
    {
        if (series.Count == 0 || (series.Count == 1 && string.IsNullOrEmpty(series[0].Name))) return new Legend([]);
        double textMax = Math.Max(20, maxWidth - KeyWidth - KeyGap);
        while (true)
        {
            var rows = Wrap(series, maxWidth, textMax);
            if (rows.Length * RowHeight <= maxHeight || textMax <= 40) return new Legend(rows);
            textMax = Math.Max(40, textMax * 0.8);
        }
    }

    private static List<(int, string, string, double)>[] Wrap(IReadOnlyList<Series> series, double maxWidth, double textMax)
    {
        var rows = new List<List<(int, string, string, double)>>();
        var row = new List<(int, string, string, double)>();
        double used = 0;
        for (int i = 0; i < series.Count; i++)
        {
            string full = series[i].Name ?? string.Empty;
            string shown = SvgText.Fit(full, textMax, FontSize);
            double w = KeyWidth + KeyGap + SvgText.Width(shown, FontSize);
            double add = row.Count == 0 ? w : EntryGap + w;
            if (row.Count > 0 && used + add > maxWidth)
            {
                rows.Add(row);
                row = [];
                add = w;
                used = 0;
            }
            row.Add((i, shown, full, w));
            used += add;
        }
        if (row.Count > 0) rows.Add(row);
        return rows.ToArray();
    }

    /// <summary>Draws the rows centred on <paramref name="centreX"/>; <paramref name="key"/> draws entry i's key at (x, centre y).</summary>
    public void Draw(SvgDocument doc, double centreX, double top, Action<int, double, double> key)
    {
        for (int r = 0; r < _rows.Length; r++)
        {
            var row = _rows[r];
            double total = row.Sum(e => e.Width) + EntryGap * (row.Count - 1);
            double x = centreX - total / 2;
            double cy = top + r * RowHeight + RowHeight / 2;
            foreach (var (index, shown, full, width) in row)
            {
                key(index, x, cy);
                doc.Text(x + KeyWidth + KeyGap, cy + FontSize * 0.35, shown, FontSize, cls: "legend", fullText: full);
                x += width + EntryGap;
            }
        }
    }
}

/// <summary>Argument checks and the pieces of layout that bar and line charts share.</summary>
internal static class ChartFrame
{
    public const double TitleSize = 16, LabelSize = 12, Pad = 10;

    public static void CheckCanvas(int width, int height)
    {
        // Below this there is no room for title, legend, axes and a plot; failing loudly beats an unreadable chart.
        if (width < 200) throw new ArgumentOutOfRangeException(nameof(width), width, "A chart needs at least 200 px of width.");
        if (height < 160) throw new ArgumentOutOfRangeException(nameof(height), height, "A chart needs at least 160 px of height.");
    }

    public static void CheckSeries(IReadOnlyList<Series> series, int expected, string what)
    {
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i] ?? throw new ArgumentException($"Series {i} is null.", nameof(series));
            if (s.Values is null || s.Values.Count != expected)
                throw new ArgumentException($"Series '{s.Name}' has {s.Values?.Count ?? 0} values but there are {expected} {what}.", nameof(series));
            if (s.Spread is not null && s.Spread.Count != expected)
                throw new ArgumentException($"Series '{s.Name}' has {s.Spread.Count} spreads but {expected} values.", nameof(series));
        }
    }

    /// <summary>The spread at <paramref name="i"/>, or 0 when absent or unusable (a bad spread should not hide the value).</summary>
    public static double SpreadAt(Series s, int i)
    {
        if (s.Spread is null) return 0;
        double v = Math.Abs(s.Spread[i]);
        return double.IsFinite(v) ? v : 0;
    }

    /// <summary>The largest value plus its spread over the first <paramref name="count"/> values of every series: the axis must hold the top of every error bar or band.</summary>
    public static double MaxWithSpread(IReadOnlyList<Series> series, int count)
    {
        double max = 0;
        foreach (var s in series)
            for (int i = 0; i < count; i++)
                if (double.IsFinite(s.Values[i])) max = Math.Max(max, s.Values[i] + SpreadAt(s, i));
        return max;
    }

    /// <summary>Draws the centred title and returns the y where the next block may start.</summary>
    public static double Title(SvgDocument doc, string title, double width)
    {
        if (string.IsNullOrEmpty(title)) return Pad;
        string shown = SvgText.Fit(title, width - 2 * Pad, TitleSize, bold: true);
        doc.Text(width / 2, Pad + TitleSize, shown, TitleSize, "middle", bold: true, cls: "title", fullText: title);
        return Pad + TitleSize + 10;
    }

    /// <summary>Tick count that keeps about 50 px between gridlines.</summary>
    public static int TargetTicks(double plotHeight) => (int)Math.Clamp(plotHeight / 55, 3, 10);

    public static double TickLabelWidth(NiceAxis axis) => axis.Ticks().Max(t => SvgText.Width(SvgText.Tick(t), LabelSize));

    /// <summary>Gridlines, tick labels, the axis line and the rotated axis title on the left of the plot.</summary>
    public static void YAxis(SvgDocument doc, NiceAxis axis, double left, double top, double plotWidth, double plotHeight, string yTitle)
    {
        // Rotated glyphs sit left of their baseline, so the baseline goes just left of the widest tick label;
        // any extra margin (e.g. for a rotated first category label) then stays outside the title, not between.
        double titleX = Math.Max(Pad + LabelSize, left - 7 - TickLabelWidth(axis) - 10);
        foreach (double t in axis.Ticks())
        {
            double y = top + plotHeight - (t - axis.Min) / axis.Span * plotHeight;
            if (t > axis.Min) doc.Line(left, y, left + plotWidth, y, Palette.Grid, 1, "grid");
            doc.Line(left - 4, y, left, y, Palette.Axis);
            doc.Text(left - 7, y + LabelSize * 0.35, SvgText.Tick(t), LabelSize, "end", SvgDocument.MutedInk, cls: "tick");
        }
        doc.Line(left, top, left, top + plotHeight, Palette.Axis, 1, "axis");
        if (!string.IsNullOrEmpty(yTitle))
        {
            string shown = SvgText.Fit(yTitle, plotHeight, LabelSize, bold: true);
            doc.Text(titleX, top + plotHeight / 2, shown, LabelSize, "middle", bold: true, rotate: -90, cls: "axis-title", fullText: yTitle);
        }
    }
}
