using System.Globalization;

namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>
/// Confusion-matrix heat map: rows = true class, columns = predicted class, cell shade by row-normalised proportion,
/// the count printed in each cell (white text on dark cells), class names on both axes, a title, and the overall
/// accuracy in the subtitle.
/// </summary>
/// <remarks>
/// Stable hooks: cells are <c>rect class="cell"</c> (row-major), counts <c>text class="count"</c>.
/// The shade is row-normalised so that rare classes are as readable as common ones; a colour key on the right
/// maps shade to the share of the true class. The single-hue blue ramp stays ordered for colour-blind readers.
/// </remarks>
public static class Heatmap
{
    private const double LabelSize = 12, Pad = 10, TitleSize = 16;
    private const double MaxLabelWidth = 190; // ~27 characters; longer class names get an ellipsis

    // ColorBrewer "Blues", light to dark.
    private static readonly (int R, int G, int B)[] Ramp =
    [
        (0xf7, 0xfb, 0xff), (0xde, 0xeb, 0xf7), (0xc6, 0xdb, 0xef), (0x9e, 0xca, 0xe1), (0x6b, 0xae, 0xd6),
        (0x42, 0x92, 0xc6), (0x21, 0x71, 0xb5), (0x08, 0x51, 0x9c), (0x08, 0x30, 0x6b),
    ];

    /// <summary>Renders the confusion matrix as a self-contained SVG document sized to fit its content.</summary>
    /// <param name="title">Chart title, centred on top.</param>
    /// <param name="classes">Class names, in the order of <paramref name="counts"/>' rows and columns.</param>
    /// <param name="counts">counts[true, predicted]; a square, non-negative matrix of side classes.Count.</param>
    /// <param name="cellSize">Cell side in pixels (at least 12).</param>
    /// <exception cref="ArgumentException">The matrix is not classes.Count square, or holds a negative count.</exception>
    public static string ConfusionSvg(string title, IReadOnlyList<string> classes, int[,] counts, int cellSize = 48)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(counts);
        int n = classes.Count;
        if (counts.GetLength(0) != n || counts.GetLength(1) != n)
            throw new ArgumentException($"counts is {counts.GetLength(0)}x{counts.GetLength(1)} but there are {n} classes.", nameof(counts));
        if (cellSize < 12) throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, "Cells need at least 12 px.");
        title ??= string.Empty;

        long total = 0, correct = 0;
        var rowSums = new long[n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                if (counts[r, c] < 0) throw new ArgumentException($"counts[{r}, {c}] is negative.", nameof(counts));
                rowSums[r] += counts[r, c];
                if (r == c) correct += counts[r, c];
            }
        total = rowSums.Sum();
        string subtitle = total == 0
            ? "Overall accuracy: n/a (no samples)"
            : string.Create(CultureInfo.InvariantCulture, $"Overall accuracy: {100.0 * correct / total:0.0}% ({correct} of {total})");

        var names = classes.Select(c => c ?? string.Empty).ToArray();
        var shown = names.Select(c => SvgText.Fit(c, MaxLabelWidth, LabelSize)).ToArray();
        double widest = n == 0 ? 0 : shown.Max(s => SvgText.Width(s, LabelSize));

        // Column labels go under the grid: horizontal if they fit a cell, else at 45 degrees, or upright for tiny cells.
        double angle = widest <= cellSize - 4 ? 0 : cellSize >= 18 ? -45 : -90;
        double sin = Math.Sin(-angle * Math.PI / 180), cos = Math.Cos(-angle * Math.PI / 180);
        double colLabelHeight = angle == 0 ? LabelSize + 10 : widest * sin + LabelSize * cos + 6;
        double colOverhang = angle == -45 ? widest * cos - cellSize / 2.0 + 4 : 0;

        const string rowTitle = "True class", colTitle = "Predicted class";
        double rowTitleWidth = SvgText.Width(rowTitle, LabelSize, bold: true);
        double colTitleWidth = SvgText.Width(colTitle, LabelSize, bold: true);
        double grid = n * (double)cellSize;
        // The grid block is at least as tall as the rotated row-axis title and the colour key, so small matrices
        // are centred in it rather than letting those overlap the subtitle or the column labels.
        const double keyMinHeight = 60, keyGap = 18, keyWidth = 14;
        double block = Math.Max(grid, Math.Max(rowTitleWidth + 8, keyMinHeight));

        double axisTitleRoom = LabelSize + 10;
        double rowLabels = widest + 10;
        double left = Pad + Math.Max(axisTitleRoom + rowLabels, Math.Max(colOverhang, colTitleWidth / 2 - grid / 2));
        double right = Math.Max(keyGap + keyWidth + 6 + SvgText.Width("100%", 11), colTitleWidth / 2 - grid / 2) + Pad;
        double top = Pad + TitleSize + 8 + LabelSize + 14;
        double gridTop = top + (block - grid) / 2;
        double colTitleY = Math.Max(gridTop + grid + colLabelHeight, top + block) + LabelSize + 2;
        double height = colTitleY + Pad;

        double contentWidth = left + grid + right;
        // The canvas widens for a long title, but only so far: beyond that the title is shortened instead.
        double titleWidth = Math.Min(SvgText.Width(title, TitleSize, bold: true), Math.Max(contentWidth, 900));
        double width = Math.Max(contentWidth, Math.Max(titleWidth, SvgText.Width(subtitle, LabelSize)) + 2 * Pad);
        width = Math.Max(width, 200);
        left += (width - contentWidth) / 2; // centre the grid when the title makes the canvas wider

        var doc = new SvgDocument(Math.Ceiling(width), Math.Ceiling(height));
        if (title.Length > 0)
            doc.Text(width / 2, Pad + TitleSize, SvgText.Fit(title, width - 2 * Pad, TitleSize, bold: true), TitleSize, "middle", bold: true, cls: "title", fullText: title);
        doc.Text(width / 2, Pad + TitleSize + 8 + LabelSize, subtitle, LabelSize, "middle", SvgDocument.MutedInk, cls: "subtitle");

        for (int r = 0; r < n; r++)
        {
            double y = gridTop + r * cellSize;
            doc.Text(left - 8, y + cellSize / 2.0 + LabelSize * 0.35, shown[r], LabelSize, "end", cls: "row-label", fullText: names[r]);
            for (int c = 0; c < n; c++)
            {
                double x = left + c * cellSize;
                double p = rowSums[r] == 0 ? 0 : counts[r, c] / (double)rowSums[r];
                var (fill, dark) = Shade(p);
                string tip = string.Create(CultureInfo.InvariantCulture,
                    $"true {names[r]} \u2192 predicted {names[c]}: {counts[r, c]} ({100 * p:0.#}% of row)");
                doc.Element("rect", null, tip, ("class", "cell"), ("x", x), ("y", y), ("width", (double)cellSize), ("height", (double)cellSize),
                    ("fill", fill), ("stroke", "#ffffff"), ("stroke-width", 1d));
                string text = counts[r, c].ToString(CultureInfo.InvariantCulture);
                // Shrink long counts to the cell instead of letting digits spill into the neighbour.
                double size = Math.Clamp((cellSize - 6) / (text.Length * 0.62), 7, LabelSize);
                string ink = dark ? "#ffffff" : counts[r, c] == 0 ? "#8a8a8a" : SvgDocument.Ink;
                doc.Text(x + cellSize / 2.0, y + cellSize / 2.0 + size * 0.35, text, size, "middle", ink, bold: r == c && counts[r, c] > 0, cls: "count");
            }
        }
        double gridBottom = gridTop + grid;
        doc.Element("rect", null, null, ("class", "frame"), ("x", left), ("y", gridTop), ("width", grid), ("height", grid),
            ("fill", "none"), ("stroke", "#999999"), ("stroke-width", 1d));

        for (int c = 0; c < n; c++)
        {
            double cx = left + (c + 0.5) * cellSize;
            if (angle == 0)
                doc.Text(cx, gridBottom + 6 + LabelSize, shown[c], LabelSize, "middle", cls: "col-label", fullText: names[c]);
            else if (angle == -45)
                doc.Text(cx + 4, gridBottom + 10, shown[c], LabelSize, "end", rotate: -45, cls: "col-label", fullText: names[c]);
            else
                doc.Text(cx + LabelSize * 0.35, gridBottom + 6, shown[c], LabelSize, "end", rotate: -90, cls: "col-label", fullText: names[c]);
        }

        doc.Text(left + grid / 2, colTitleY, colTitle, LabelSize, "middle", bold: true, cls: "axis-title");
        double rowTitleX = left - rowLabels - 6;
        doc.Text(rowTitleX, top + block / 2, rowTitle, LabelSize, "middle", bold: true, rotate: -90, cls: "axis-title");

        double keyHeight = Math.Max(grid, keyMinHeight);
        ColourKey(doc, left + grid + keyGap, top + (block - keyHeight) / 2, keyWidth, keyHeight);
        return doc.ToString();
    }

    /// <summary>A vertical gradient from 0% (bottom) to 100% (top) of the true class.</summary>
    private static void ColourKey(SvgDocument doc, double x, double y, double w, double h)
    {
        var stops = string.Concat(Ramp.Select((c, i) =>
            $"<stop offset=\"{SvgText.Num(100.0 * i / (Ramp.Length - 1))}%\" stop-color=\"#{c.R:x2}{c.G:x2}{c.B:x2}\"/>"));
        doc.Raw($"<defs><linearGradient id=\"confusion-key\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">{stops}</linearGradient></defs>");
        doc.Element("rect", null, "share of the true class", ("class", "colour-key"), ("x", x), ("y", y), ("width", w), ("height", h),
            ("fill", "url(#confusion-key)"), ("stroke", "#999999"), ("stroke-width", 0.5d));
        doc.Text(x + w + 4, y + 8, "100%", 11, fill: SvgDocument.MutedInk, cls: "key-label");
        doc.Text(x + w + 4, y + h / 2 + 4, "50%", 11, fill: SvgDocument.MutedInk, cls: "key-label");
        doc.Text(x + w + 4, y + h, "0%", 11, fill: SvgDocument.MutedInk, cls: "key-label");
    }

    /// <summary>The ramp colour for proportion <paramref name="p"/>, and whether it is dark enough to need white text.</summary>
    private static (string Fill, bool Dark) Shade(double p)
    {
        double pos = Math.Clamp(p, 0, 1) * (Ramp.Length - 1);
        int i = Math.Min((int)pos, Ramp.Length - 2);
        double t = pos - i;
        double Mix(int a, int b) => a + (b - a) * t;
        int r = (int)Math.Round(Mix(Ramp[i].R, Ramp[i + 1].R));
        int g = (int)Math.Round(Mix(Ramp[i].G, Ramp[i + 1].G));
        int b = (int)Math.Round(Mix(Ramp[i].B, Ramp[i + 1].B));
        // Relative luminance (sRGB approximation); below ~0.22 white text has more contrast than dark against the fill.
        double lum = (0.2126 * Lin(r) + 0.7152 * Lin(g) + 0.0722 * Lin(b));
        return ($"#{r:x2}{g:x2}{b:x2}", lum < 0.22);
    }

    private static double Lin(int c)
    {
        double s = c / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
    }
}
