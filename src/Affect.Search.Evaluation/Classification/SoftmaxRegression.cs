using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Affect.Search.Evaluation.Classification;

/// <summary>
/// Multinomial logistic regression with L2 regularisation (paper Section VI: emotion prediction from hJ).
/// Inputs are standardised with the training mean and population standard deviation (constant columns are
/// set to 0), then the objective of <see cref="Loss"/> is minimised from zero by MathNet's L-BFGS, which is
/// deterministic. The objective is strictly convex for l2 &gt; 0, so the optimum does not depend on the start.
/// </summary>
public sealed class SoftmaxRegression
{
    private readonly double[] _mean, _inverseSd, _parameters;

    private SoftmaxRegression(int classes, int dimension, double[] mean, double[] inverseSd, double[] parameters)
    {
        Classes = classes;
        Dimension = dimension;
        _mean = mean;
        _inverseSd = inverseSd;
        _parameters = parameters;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Input dimension.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Fits the model to rows of <paramref name="x"/> (row-major, <paramref name="dimension"/> values) labelled
    /// 0..<paramref name="classes"/>-1, with penalty (l2 / 2) ||W||^2 on the weights (not the biases).
    /// </summary>
    public static SoftmaxRegression Fit(float[] x, int dimension, int[] labels, int classes, double l2 = 1e-2)
    {
        Validate(x, dimension, labels, classes, l2);
        int n = labels.Length;
        for (int k = 0; k < x.Length; k++)
            if (!float.IsFinite(x[k])) throw new ArgumentException($"input row {k / dimension}, column {k % dimension} is not finite ({x[k]})", nameof(x));
        var mean = new double[dimension];
        var inverseSd = new double[dimension];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++) mean[j] += x[i * dimension + j];
        for (int j = 0; j < dimension; j++) mean[j] /= n;
        var squares = new double[dimension];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++) { double c = x[i * dimension + j] - mean[j]; squares[j] += c * c; }
        for (int j = 0; j < dimension; j++)
        {
            double sd = Math.Sqrt(squares[j] / n);
            // A column with (numerically) no spread carries no information; 0 keeps it out of the model.
            inverseSd[j] = sd > 1e-12 * Math.Max(1, Math.Abs(mean[j])) ? 1 / sd : 0;
        }
        var z = new float[x.Length];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++) z[i * dimension + j] = (float)((x[i * dimension + j] - mean[j]) * inverseSd[j]);

        int count = classes * dimension + classes;
        var gradient = new double[count];
        double bestLoss = double.PositiveInfinity;
        var best = new double[count];
        var objective = ObjectiveFunction.Gradient(p =>
        {
            var parameters = p.ToArray();
            double loss = Loss(z, dimension, labels, classes, l2, parameters, gradient);
            // The best point seen survives a line search or iteration-limit failure, which MathNet reports by throwing.
            if (loss < bestLoss) { bestLoss = loss; parameters.CopyTo(best, 0); }
            return (loss, Vector<double>.Build.DenseOfArray((double[])gradient.Clone()));
        });
        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance: 1e-6, parameterTolerance: 1e-12, functionProgressTolerance: 1e-12, memory: 10, maximumIterations: 1000);
        try
        {
            var result = minimizer.FindMinimum(objective, Vector<double>.Build.Dense(count));
            double final = Loss(z, dimension, labels, classes, l2, result.MinimizingPoint.ToArray(), gradient);
            if (final <= bestLoss) best = result.MinimizingPoint.ToArray();
        }
        catch (Exception e) when (e is OptimizationException or MaximumIterationsException)
        {
            // Keep the best point evaluated: near the optimum a line search can fail on rounding alone.
        }
        return new SoftmaxRegression(classes, dimension, mean, inverseSd, best);
    }

    /// <summary>
    /// The training objective, exposed so its gradient can be checked: mean negative log-likelihood of
    /// <paramref name="labels"/> under softmax(W x + b), plus (l2 / 2) ||W||^2. <paramref name="parameters"/> holds W
    /// (classes x dimension, row-major) followed by b (classes); the gradient is written to <paramref name="gradient"/>
    /// in the same layout. Inputs are used as given (no standardisation).
    /// </summary>
    public static double Loss(float[] x, int dimension, int[] labels, int classes, double l2, ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        Validate(x, dimension, labels, classes, l2);
        int count = classes * dimension + classes;
        if (parameters.Length != count) throw new ArgumentException($"{parameters.Length} parameters given, {count} expected", nameof(parameters));
        if (gradient.Length != count) throw new ArgumentException($"a gradient of {gradient.Length} given, {count} expected", nameof(gradient));
        int n = labels.Length;
        var p = parameters.ToArray();
        // Residuals p(c | x_i) - [c = y_i] and per-row log-likelihoods; rows are independent, so any schedule gives the same values.
        var residual = new double[n * classes];
        var logLikelihood = new double[n];
        Parallel.For(0, n, i =>
        {
            var row = x.AsSpan(i * dimension, dimension);
            var logits = residual.AsSpan(i * classes, classes);
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double s = p[classes * dimension + c];
                var w = p.AsSpan(c * dimension, dimension);
                for (int j = 0; j < dimension; j++) s += w[j] * row[j];
                logits[c] = s;
                max = Math.Max(max, s);
            }
            double total = 0;
            for (int c = 0; c < classes; c++) total += Math.Exp(logits[c] - max);
            double logNormaliser = max + Math.Log(total);
            logLikelihood[i] = logits[labels[i]] - logNormaliser;
            for (int c = 0; c < classes; c++) logits[c] = Math.Exp(logits[c] - logNormaliser);
            logits[labels[i]] -= 1;
        });
        double loss = 0, penalty = 0;
        for (int i = 0; i < n; i++) loss -= logLikelihood[i];
        for (int k = 0; k < classes * dimension; k++) penalty += p[k] * p[k];

        var g = new double[count];
        // One class per task, each summing rows in order: deterministic.
        Parallel.For(0, classes, c =>
        {
            var w = g.AsSpan(c * dimension, dimension);
            double bias = 0;
            for (int i = 0; i < n; i++)
            {
                double r = residual[i * classes + c];
                if (r == 0) continue;
                bias += r;
                var row = x.AsSpan(i * dimension, dimension);
                for (int j = 0; j < dimension; j++) w[j] += r * row[j];
            }
            for (int j = 0; j < dimension; j++) w[j] = w[j] / n + l2 * p[c * dimension + j];
            g[classes * dimension + c] = bias / n;
        });
        g.CopyTo(gradient);
        return loss / n + 0.5 * l2 * penalty;
    }

    /// <summary>Class probabilities for one input row (they sum to 1).</summary>
    public double[] Probabilities(ReadOnlySpan<float> x)
    {
        if (x.Length != Dimension) throw new ArgumentException($"an input of {x.Length} values given, the model takes {Dimension}", nameof(x));
        var z = new double[Dimension];
        for (int j = 0; j < Dimension; j++) z[j] = (x[j] - _mean[j]) * _inverseSd[j];
        var probabilities = new double[Classes];
        double max = double.NegativeInfinity;
        for (int c = 0; c < Classes; c++)
        {
            double s = _parameters[Classes * Dimension + c];
            for (int j = 0; j < Dimension; j++) s += _parameters[c * Dimension + j] * z[j];
            probabilities[c] = s;
            max = Math.Max(max, s);
        }
        double total = 0;
        for (int c = 0; c < Classes; c++) total += probabilities[c] = Math.Exp(probabilities[c] - max);
        for (int c = 0; c < Classes; c++) probabilities[c] /= total;
        return probabilities;
    }

    /// <summary>The most probable class (the lowest index among equals).</summary>
    public int Predict(ReadOnlySpan<float> x)
    {
        var probabilities = Probabilities(x);
        int best = 0;
        for (int c = 1; c < Classes; c++)
            if (probabilities[c] > probabilities[best]) best = c;
        return best;
    }

    private static void Validate(float[] x, int dimension, int[] labels, int classes, double l2)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the dimension must be at least 1");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "at least 2 classes are needed");
        if (labels.Length == 0) throw new ArgumentException("no training rows", nameof(labels));
        if (x.Length != (long)labels.Length * dimension)
            throw new ArgumentException($"{x.Length} input values for {labels.Length} labels of dimension {dimension} (expected {(long)labels.Length * dimension})", nameof(x));
        if (!(l2 >= 0) || double.IsInfinity(l2)) throw new ArgumentOutOfRangeException(nameof(l2), l2, "l2 must be finite and non-negative");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"label {labels[i]} of row {i} is outside 0..{classes - 1}", nameof(labels));
    }
}
