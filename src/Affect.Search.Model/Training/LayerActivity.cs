using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;

namespace Affect.Search.Model.Training;

/// <summary>How much a hidden layer's mean-field values vary over the items that have data below it.</summary>
/// <param name="Layer">The layer's name.</param>
/// <param name="Items">Items measured (those with data below the layer).</param>
/// <param name="Saturation">Share of the activations below 0.05 or above 0.95.</param>
/// <param name="Spread">Mean over units of the standard deviation over items.</param>
/// <param name="ConstantUnits">Share of units whose standard deviation over items is below 0.01.</param>
public sealed record LayerActivityFigures(string Layer, int Items, double Saturation, double Spread, double ConstantUnits)
{
    /// <summary>
    /// Below this spread a layer passes almost the same values for every item: what lies under it hardly
    /// reaches the joint layer. (A text layer trained at too high a rate measured 0.02; working layers 0.1-0.3.)
    /// </summary>
    public const double DeadSpread = 0.03;

    /// <summary>Whether the layer is nearly dead (<see cref="DeadSpread"/>).</summary>
    public bool IsDead => Items > 1 && Spread < DeadSpread;

    /// <summary>The figures as training-event metrics.</summary>
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>
    {
        ["items"] = Items,
        ["saturation"] = Saturation,
        ["spread"] = Spread,
        ["constantUnits"] = ConstantUnits,
    };
}

/// <summary>
/// Measures every hidden layer's activity on a sample of items by mean-field inference: saturation and
/// spread, and which layers are nearly dead. A dead pathway is the quiet way a multimodal DBM loses a
/// modality, so training reports it loudly.
/// </summary>
public static class LayerActivity
{
    /// <summary>The figures of every hidden layer of <paramref name="dbm"/> over (up to <paramref name="maxItems"/> of) <paramref name="items"/>.</summary>
    public static IReadOnlyList<LayerActivityFigures> Measure(MultimodalDbm dbm, MultimodalDataset items, int maxItems = 2000)
    {
        if (items.Count > maxItems) items = items.Select(Enumerable.Range(0, maxItems).Select(i => (int)((long)i * items.Count / maxItems)).ToArray());
        var hiddens = dbm.Hiddens.ToList();
        var result = new MeanFieldInference(dbm).Infer(items, new InferenceOptions { Layers = hiddens.Select(h => h.Name).ToList() });
        var figures = new List<LayerActivityFigures>();
        foreach (var node in hiddens)
        {
            var sources = Leaves(node).SelectMany(leaf => dbm.Config.Features.First(f => f.Name == leaf.Feature).Sources).Distinct().ToList();
            var rows = Enumerable.Range(0, items.Count)
                .Where(r => sources.Any(s => items.Features.ContainsKey(s) && items.IsPresent(s, r)))
                .ToArray();
            figures.Add(Figures(node.Name, result.Layers[node.Name], node.Size, rows));
        }
        return figures;
    }

    /// <summary>The figures of one layer's values (row-major, <paramref name="size"/> columns) over <paramref name="rows"/>.</summary>
    public static LayerActivityFigures Figures(string layer, ReadOnlySpan<float> values, int size, IReadOnlyList<int> rows)
    {
        if (rows.Count == 0) return new LayerActivityFigures(layer, 0, double.NaN, double.NaN, double.NaN);
        var sum = new double[size];
        var squares = new double[size];
        long saturated = 0;
        foreach (int r in rows)
        {
            var row = values.Slice(r * size, size);
            for (int j = 0; j < size; j++)
            {
                double v = row[j];
                sum[j] += v;
                squares[j] += v * v;
                if (v < 0.05 || v > 0.95) saturated++;
            }
        }
        double spread = 0;
        int constant = 0;
        for (int j = 0; j < size; j++)
        {
            double mean = sum[j] / rows.Count;
            double sd = Math.Sqrt(Math.Max(0, squares[j] / rows.Count - mean * mean));
            spread += sd;
            if (sd < 0.01) constant++;
        }
        return new LayerActivityFigures(layer, rows.Count, (double)saturated / ((long)rows.Count * size), spread / size, (double)constant / size);
    }

    /// <summary>
    /// The activity figures a training log (<c>training.jsonl</c>) recorded, one per layer (the last when a layer
    /// appears twice); empty for logs written before activity was measured.
    /// </summary>
    /// <exception cref="InvalidDataException">a line is not JSON.</exception>
    public static IReadOnlyList<LayerActivityFigures> ReadLog(string path)
    {
        var byLayer = new Dictionary<string, LayerActivityFigures>(StringComparer.Ordinal);
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.GetProperty("stage").GetString() != "activity") continue;
                var m = root.GetProperty("metrics");
                double Get(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetDouble() : double.NaN;
                var layer = root.GetProperty("layer").GetString()!;
                byLayer[layer] = new LayerActivityFigures(layer, (int)Get("items"), Get("saturation"), Get("spread"), Get("constantUnits"));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: line {number} is not a training event ({e.Message})", e);
            }
        }
        return byLayer.Values.ToList();
    }

    private static IEnumerable<DbmNode> Leaves(DbmNode node)
        => node.IsVisible ? [node] : node.Children.SelectMany(Leaves);
}
