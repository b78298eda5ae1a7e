using Affect.Search.Compute;
using Affect.Search.Model.Data;

namespace Affect.Search.Model.Layers;

/// <summary>
/// Real-valued units with unit variance: mean b + x, sample mean + N(0, 1). Input is standardised
/// per dimension with the mean and standard deviation stored here (fitted on training data and
/// applied again at inference), so sigma_i = 1 holds (spec section 1).
/// </summary>
public sealed class GaussianLayer : UnitLayer
{
    /// <summary>Creates a layer; standardisation defaults to the identity until <see cref="Fit"/>.</summary>
    public GaussianLayer(int size) : base(size)
    {
        Mean = new float[size];
        StandardDeviation = Enumerable.Repeat(1f, size).ToArray();
    }

    /// <inheritdoc />
    public override UnitKind Kind => UnitKind.Gaussian;

    /// <summary>Per-dimension mean of the training data.</summary>
    public float[] Mean { get; private set; }

    /// <summary>Per-dimension standard deviation of the training data (floored, never 0).</summary>
    public float[] StandardDeviation { get; private set; }

    /// <summary>The floor on a dimension's standard deviation, so constant features do not blow up.</summary>
    public const float MinimumStandardDeviation = 1e-3f;

    /// <summary>Fits the standardisation on the present rows of raw dense data.</summary>
    public void Fit(DenseVisibleData raw, IReadOnlyList<bool>? present = null)
    {
        if (raw.Dimension != Size) throw new ArgumentException($"Gaussian layer of {Size} units cannot fit data of dimension {raw.Dimension}");
        var sum = new double[Size];
        var sq = new double[Size];
        int n = 0;
        for (int r = 0; r < raw.Count; r++)
        {
            if (present is not null && !present[r]) continue;
            var row = raw.Row(r);
            for (int i = 0; i < Size; i++) { sum[i] += row[i]; sq[i] += (double)row[i] * row[i]; }
            n++;
        }
        if (n == 0) throw new ArgumentException("no present rows to fit a Gaussian layer's standardisation on");
        SetStandardisation(
            sum.Select(s => (float)(s / n)).ToArray(),
            sum.Zip(sq, (s, q) => (float)Math.Max(MinimumStandardDeviation, Math.Sqrt(Math.Max(0, q / n - (s / n) * (s / n))))).ToArray());
    }

    /// <summary>Sets stored statistics (model files).</summary>
    public void SetStandardisation(float[] mean, float[] standardDeviation)
    {
        if (mean.Length != Size || standardDeviation.Length != Size) throw new ArgumentException("standardisation statistics do not match the layer size");
        if (standardDeviation.Any(s => !(s > 0))) throw new ArgumentException("standard deviations must be positive");
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    /// <inheritdoc />
    public override VisibleData Prepare(VisibleData raw)
    {
        if (raw is not DenseVisibleData dense) throw new ArgumentException("a Gaussian layer needs dense real-valued input");
        if (dense.Dimension != Size) throw new ArgumentException($"Gaussian layer of {Size} units got input of dimension {dense.Dimension}");
        var values = new float[dense.Values.Length];
        for (int r = 0; r < dense.Count; r++)
            for (int i = 0; i < Size; i++)
                values[r * Size + i] = (dense.Values[r * Size + i] - Mean[i]) / StandardDeviation[i];
        return new DenseVisibleData(values, dense.Count, Size);
    }

    /// <inheritdoc />
    public override void Activate(IComputeBackend backend, FloatMatrix totalInput, FloatMatrix bias, float biasScale = 1f)
        => backend.AddRowVector(totalInput, bias, biasScale);

    /// <inheritdoc />
    public override void Sample(IComputeBackend backend, FloatMatrix means, FloatMatrix destination, RandomStream random)
    {
        if (!ReferenceEquals(means, destination)) backend.Copy(means, destination);
        backend.AddGaussianNoise(destination, 1f, random);
    }

    /// <inheritdoc />
    public override void AddVisibleEnergy(IComputeBackend backend, FloatMatrix visible, FloatMatrix bias, FloatMatrix destination)
    {
        using var d = backend.Allocate(destination.Rows, 1);
        backend.SquaredDistanceRows(visible, bias, d);
        backend.Axpby(0.5f, d, 1f, destination);
    }
}
