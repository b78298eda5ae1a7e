using Affect.Search.Index;

namespace Affect.Search.Evaluation.Classification;

/// <summary>A predicted label with its probability.</summary>
public sealed record LabelPrediction(string Label, double Probability);

/// <summary>
/// Predicts one kind of label (e.g. emotion) from joint embeddings: multinomial logistic regression fitted on
/// the indexed items that carry exactly one label of that kind (the paper's Section VI classifier, applied to a
/// new item).
/// </summary>
public sealed class LabelClassifier
{
    private readonly SoftmaxRegression _model;

    private LabelClassifier(string kind, IReadOnlyList<string> classes, int items, SoftmaxRegression model)
    {
        Kind = kind;
        Classes = classes;
        TrainingItems = items;
        _model = model;
    }

    /// <summary>The label kind predicted.</summary>
    public string Kind { get; }

    /// <summary>The labels it can predict, in class order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>How many items it was fitted on.</summary>
    public int TrainingItems { get; }

    /// <summary>Fits on the embeddings and labels of <paramref name="items"/> (an index view's contents).</summary>
    public static LabelClassifier Fit(IReadOnlyList<(IndexedItem Item, float[] Embedding)> items, string kind, double l2 = 1e-2)
    {
        var labelled = items.Where(x => x.Item.Labels.TryGetValue(kind, out var l) && l.Count == 1).ToList();
        var classes = labelled.Select(x => x.Item.Labels[kind][0]).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
        if (classes.Count < 2)
            throw new ArgumentException($"cannot learn '{kind}' labels: {labelled.Count} indexed items carry exactly one, with {classes.Count} distinct value(s); at least two are needed");
        int dim = labelled[0].Embedding.Length;
        var x = labelled.SelectMany(l => l.Embedding).ToArray();
        var y = labelled.Select(l => classes.IndexOf(l.Item.Labels[kind][0])).ToArray();
        return new LabelClassifier(kind, classes, labelled.Count, SoftmaxRegression.Fit(x, dim, y, classes.Count, l2));
    }

    /// <summary>Every label with its probability, most probable first.</summary>
    public IReadOnlyList<LabelPrediction> Predict(ReadOnlySpan<float> embedding)
    {
        var p = _model.Probabilities(embedding);
        return Enumerable.Range(0, Classes.Count).OrderByDescending(i => p[i]).ThenBy(i => i).Select(i => new LabelPrediction(Classes[i], p[i])).ToList();
    }
}
