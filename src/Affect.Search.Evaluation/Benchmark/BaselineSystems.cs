using Affect.Search.Evaluation.Baselines;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>
/// The baselines of a benchmark run, fitted on the training split: the text baselines (Jaccard, BM25 and, when the
/// <c>minilm</c> feature was extracted, its cosine) and the feature baselines (early fusion, CCA), the latter once
/// per feature family when the run extracted features of more than one (<see cref="FeatureSet"/>).
/// </summary>
/// <param name="Systems">Every baseline, in table order: text baselines, then early fusion and CCA per family.</param>
/// <param name="Fusion">The first family's early fusion of every modality: the baseline representation of the emotion prediction.</param>
/// <param name="CanonicalCorrelations">The first family's canonical correlations on the training pairs (empty without a CCA).</param>
public sealed record BaselineSystems(IReadOnlyList<IRetrievalSystem> Systems, EarlyFusion Fusion, IReadOnlyList<double> CanonicalCorrelations)
{
    /// <summary>Fits the baselines on <paramref name="training"/>, whose features <paramref name="map"/> assigns to modalities.</summary>
    public static BaselineSystems Fit(MultimodalDataset training, ModalityMap map, IReadOnlyList<FeatureSet> sets, string scratchFolder)
    {
        var systems = new List<IRetrievalSystem> { new JaccardTextSystem(), new Bm25TextSystem(scratchFolder) };
        if (map.Sources('T').Contains(SentenceEmbeddingTextSystem.MiniLm)) systems.Add(new SentenceEmbeddingTextSystem());
        var families = Families(map, sets);
        var fusions = families.Select(f => new EarlyFusionSystem(training, f.Map, Named("Early fusion", f.Name))).ToList();
        // CCA pairs the visual and audio features with the text: a family without text has none.
        var ccas = families.Zip(fusions).Where(x => x.First.Map.Sources('T').Count > 0)
            .Select(x => new CanonicalCorrelationSystem(training, x.First.Map, x.Second.Video, Named("CCA", x.First.Name))).ToList();
        systems.AddRange(fusions);
        systems.AddRange(ccas);
        return new BaselineSystems(systems, fusions[0].Multimodal ?? fusions[0].Video, ccas.FirstOrDefault()?.Correlations ?? []);
    }

    /// <summary>
    /// The feature families the feature baselines are fitted on: each of <paramref name="sets"/> of which features of
    /// at least two modalities were extracted, with its name; with fewer than two such sets, one family of every
    /// extracted feature without a name (the baselines keep their plain names, as before there were families).
    /// </summary>
    public static IReadOnlyList<(string? Name, ModalityMap Map)> Families(ModalityMap map, IReadOnlyList<FeatureSet> sets)
    {
        var covered = sets.Select(s => ((string?)s.Name, Map: map.Restrict(s))).Where(x => x.Map.Letters.Length >= 2).ToList();
        return covered.Count > 1 ? covered : [(null, map)];
    }

    private static string Named(string baseline, string? family) => family is null ? baseline : $"{baseline} ({family})";
}
