using Affect.Search.Index;

namespace Affect.Search.Evaluation.Classification;

/// <summary>A predicted label with its probability.</summary>
public sealed record LabelPrediction(string Label, double Probability);

/// <summary>
/// Predicts one kind of label (e.g. emotion) from joint embeddings: multinomial logistic regression fitted on
/// the indexed items that carry exactly one label of that kind (the paper's Section VI classifier, applied to a
/// new item). The L2 strength is chosen by cross-validated log-loss: with a few dozen labelled items in 64
/// dimensions a weakly regularised fit separates them perfectly and claims certainty for every prediction.
/// </summary>
public sealed class LabelClassifier
{
    private readonly SoftmaxRegression _model;

    /// <summary>The L2 strengths tried.</summary>
    public static readonly IReadOnlyList<double> Strengths = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3, 1e4];

    private const int Folds = 5;

    private LabelClassifier(string kind, IReadOnlyList<string> classes, int items, double l2, SoftmaxRegression model)
    {
        Kind = kind;
        Classes = classes;
        TrainingItems = items;
        L2 = l2;
        _model = model;
    }

    /// <summary>The L2 strength chosen.</summary>
    public double L2 { get; }

    /// <summary>The label kind predicted.</summary>
    public string Kind { get; }

    /// <summary>The labels it can predict, in class order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>How many items it was fitted on.</summary>
    public int TrainingItems { get; }

    /// <summary>Fits on the embeddings and labels of <paramref name="items"/> (an index view's contents).</summary>
    public static LabelClassifier Fit(IReadOnlyList<(IndexedItem Item, float[] Embedding)> items, string kind)
    {
        var labelled = items.Where(x => x.Item.Labels.TryGetValue(kind, out var l) && l.Count == 1).ToList();
        var classes = labelled.Select(x => x.Item.Labels[kind][0]).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
        if (classes.Count < 2)
            throw new ArgumentException($"cannot learn '{kind}' labels: {labelled.Count} indexed items carry exactly one, with {classes.Count} distinct value(s); at least two are needed");
        int dim = labelled[0].Embedding.Length;
        var x = labelled.SelectMany(l => l.Embedding).ToArray();
        var y = labelled.Select(l => classes.IndexOf(l.Item.Labels[kind][0])).ToArray();
        double l2 = ChooseL2(x, dim, y, classes.Count);
        return new LabelClassifier(kind, classes, labelled.Count, l2, SoftmaxRegression.Fit(x, dim, y, classes.Count, l2));
    }

    /// <summary>
    /// The strength of <see cref="Strengths"/> with the lowest 5-fold cross-validated log-loss on these rows
    /// (row-major <paramref name="x"/>, labels 0..<paramref name="classes"/>-1); the smallest on a tie. Deterministic.
    /// </summary>
    public static double ChooseL2(float[] x, int dim, int[] y, int classes)
        => Strengths.MinBy(s => CrossValidatedLoss(x, dim, y, classes, s));

    /// <summary>Mean held-out negative log-likelihood over folds dealt round-robin within each class (deterministic).</summary>
    private static double CrossValidatedLoss(float[] x, int dim, int[] y, int classes, double l2)
    {
        var fold = new int[y.Length];
        var seen = new int[classes];
        for (int i = 0; i < y.Length; i++) fold[i] = seen[y[i]]++ % Folds;
        double loss = 0;
        int counted = 0;
        for (int f = 0; f < Folds; f++)
        {
            var train = Enumerable.Range(0, y.Length).Where(i => fold[i] != f).ToArray();
            var test = Enumerable.Range(0, y.Length).Where(i => fold[i] == f).ToArray();
            if (test.Length == 0 || train.Select(i => y[i]).Distinct().Count() < 2) continue;
            var model = SoftmaxRegression.Fit(train.SelectMany(i => x.AsSpan(i * dim, dim).ToArray()).ToArray(), dim, train.Select(i => y[i]).ToArray(), classes, l2);
            foreach (int i in test)
            {
                loss -= Math.Log(Math.Max(model.Probabilities(x.AsSpan(i * dim, dim))[y[i]], 1e-12));
                counted++;
            }
        }
        return counted == 0 ? 0 : loss / counted;
    }

    /// <summary>Every label with its probability, most probable first.</summary>
    public IReadOnlyList<LabelPrediction> Predict(ReadOnlySpan<float> embedding)
    {
        var p = _model.Probabilities(embedding);
        return Enumerable.Range(0, Classes.Count).OrderByDescending(i => p[i]).ThenBy(i => i).Select(i => new LabelPrediction(Classes[i], p[i])).ToList();
    }
}
