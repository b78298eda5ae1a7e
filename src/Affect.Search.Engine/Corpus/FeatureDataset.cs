using Affect.Search.Compute;
using Affect.Search.Features.Extraction;
using Affect.Search.Model.Data;

namespace Affect.Search.Engine.Corpus;

/// <summary>
/// Puts extracted item features into the model's input form: one dense matrix per real-valued feature
/// and a sparse word-count matrix ("text"), with each item's presence, so items lacking a modality are
/// still usable (spec section 3.3).
/// </summary>
public static class FeatureDataset
{
    /// <summary>The name of the word-count feature in model configurations.</summary>
    public const string TextFeature = "text";

    /// <summary>Builds the data set; <paramref name="dimensions"/> gives each dense feature's length.</summary>
    public static MultimodalDataset Build(IReadOnlyList<ItemFeatures> items, IReadOnlyDictionary<string, int> dimensions, int vocabularySize)
    {
        int n = items.Count;
        var features = new Dictionary<string, VisibleData>(StringComparer.Ordinal);
        var present = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (var (name, dim) in dimensions)
        {
            var values = new float[(long)n * dim];
            var mask = new bool[n];
            for (int i = 0; i < n; i++)
            {
                if (!items[i].Dense.TryGetValue(name, out var v)) continue;
                if (v.Length != dim) throw new ArgumentException($"item '{items[i].Id}': feature '{name}' has {v.Length} values, expected {dim}");
                v.CopyTo(values, (long)i * dim);
                mask[i] = true;
            }
            features[name] = new DenseVisibleData(values, n, dim);
            present[name] = mask;
        }
        var rows = new List<IReadOnlyList<(int, float)>>(n);
        var textMask = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var words = items[i].Words;
            textMask[i] = words is not null;
            rows.Add(words is null ? Array.Empty<(int, float)>() : words.Counts.Select(c => (c.Index, (float)c.Count)).ToList());
        }
        features[TextFeature] = new SparseVisibleData(CsrMatrix.FromRows(vocabularySize, rows));
        present[TextFeature] = textMask;
        return new MultimodalDataset(n, features, present);
    }
}
