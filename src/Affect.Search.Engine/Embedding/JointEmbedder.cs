using Affect.Search.Index;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;

namespace Affect.Search.Engine.Embedding;

/// <summary>
/// Maps items to the model's joint layer by mean-field inference (spec section 4), keeping only the
/// modalities of a view and inferring the rest, then (when centres are given) subtracts the centre of the
/// modality subset each embedding was computed from (<see cref="EmbeddingCentres"/>). Modalities are named
/// by the upper-case first letter of their configured name (T for text, V for visual, A for audio). Thread-safe.
/// </summary>
public sealed class JointEmbedder
{
    private readonly MeanFieldInference _inference;

    /// <summary>Embeds with <paramref name="model"/>, centring by <paramref name="centres"/> when given.</summary>
    public JointEmbedder(MultimodalDbm model, EmbeddingCentres? centres = null)
    {
        Model = model;
        Centres = centres;
        _inference = new MeanFieldInference(model);
    }

    /// <summary>The centres subtracted from embeddings, or null for raw joint activations.</summary>
    public EmbeddingCentres? Centres { get; }

    /// <summary>The model.</summary>
    public MultimodalDbm Model { get; }

    /// <summary>Length of an embedding.</summary>
    public int Dimension => Model.EmbeddingSize;

    /// <summary>The mean-field inference behind the embeddings.</summary>
    public MeanFieldInference Inference => _inference;

    /// <summary>The modality letters of the model, in T, V, A order.</summary>
    public string Letters => new(Model.Config.Modalities.Select(m => Letter(m.Name)).OrderBy(Order).ToArray());

    /// <summary>The view of a data set that keeps only the modalities whose letters are in <paramref name="view"/> ("full" keeps all).</summary>
    public MultimodalDataset View(MultimodalDataset data, string view)
    {
        if (view == IndexViews.Full) return data;
        var keep = Model.Config.Modalities
            .Where(m => view.Contains(Letter(m.Name)))
            .SelectMany(m => m.Features.SelectMany(f => f.Sources))
            .ToArray();
        if (keep.Length == 0) throw new ArgumentException($"view '{view}' keeps no modality of the model ({string.Join(", ", Model.Config.Modalities.Select(m => m.Name))})");
        return data.Only(keep);
    }

    /// <summary>The letters of the modalities row <paramref name="row"/> of <paramref name="data"/> has, in T, V, A order.</summary>
    public string ModalitiesOf(MultimodalDataset data, int row)
        => new(Model.Config.Modalities
            .Where(m => m.Features.SelectMany(f => f.Sources).Any(s => data.Features.ContainsKey(s) && data.IsPresent(s, row)))
            .Select(m => Letter(m.Name)).OrderBy(Order).ToArray());

    /// <summary>Embeddings of every row of <paramref name="data"/> from the modalities of <paramref name="view"/>, row-major, centred.</summary>
    public float[] Embed(MultimodalDataset data, string view = IndexViews.Full)
    {
        var kept = View(data, view);
        return Centre(_inference.Infer(kept).Joint, kept);
    }

    /// <summary>The joint layer's mean-field values, uncentred.</summary>
    public float[] EmbedRaw(MultimodalDataset data, string view = IndexViews.Full) => _inference.Infer(View(data, view)).Joint;

    /// <summary>
    /// Subtracts from each row of <paramref name="joint"/> (computed from <paramref name="data"/>) the centre of
    /// the modalities that row had, and divides it by their scale when there is one; in place, and returned.
    /// Rows whose subset has no centre are left as they are.
    /// </summary>
    public float[] Centre(float[] joint, MultimodalDataset data)
    {
        if (Centres is null) return joint;
        for (int r = 0; r < data.Count; r++)
        {
            var modalities = ModalitiesOf(data, r);
            var row = joint.AsSpan(r * Dimension, Dimension);
            if (Centres.For(modalities) is not { } centre) continue;
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, centre, row);
            if (Centres.ScaleFor(modalities) is { } scale) System.Numerics.Tensors.TensorPrimitives.Divide(row, scale, row);
        }
        return joint;
    }

    /// <summary>
    /// Each row's embeddings in every view it belongs to (<see cref="IndexViews.Contains"/>): the index's
    /// reference representations.
    /// </summary>
    public IReadOnlyList<Dictionary<string, float[]>> EmbedViews(MultimodalDataset data)
    {
        var modalities = Enumerable.Range(0, data.Count).Select(r => ModalitiesOf(data, r)).ToArray();
        var result = Enumerable.Range(0, data.Count).Select(_ => new Dictionary<string, float[]>(StringComparer.Ordinal)).ToList();
        foreach (var view in IndexViews.All)
        {
            if (view != IndexViews.Full && !view.Any(Letters.Contains)) continue;
            var rows = Enumerable.Range(0, data.Count).Where(r => IndexViews.Contains(view, modalities[r])).ToArray();
            if (rows.Length == 0) continue;
            var joint = Embed(data.Select(rows), view);
            for (int i = 0; i < rows.Length; i++) result[rows[i]][view] = joint.AsSpan(i * Dimension, Dimension).ToArray();
        }
        return result;
    }

    private static char Letter(string modality) => char.ToUpperInvariant(modality[0]);

    private static int Order(char letter) => "TVA".IndexOf(letter) is var i and >= 0 ? i : 3;
}
