using Affect.Search.Compute;

namespace Affect.Search.Model.Layers;

/// <summary>Binary units: mean sigma(x + b), sample Bernoulli(mean).</summary>
public sealed class BernoulliLayer : UnitLayer
{
    /// <summary>Creates a layer of <paramref name="size"/> binary units.</summary>
    public BernoulliLayer(int size) : base(size) { }

    /// <inheritdoc />
    public override UnitKind Kind => UnitKind.Bernoulli;

    /// <inheritdoc />
    public override void Activate(IComputeBackend backend, FloatMatrix totalInput, FloatMatrix bias, float biasScale = 1f)
        => backend.Logistic(totalInput, bias, biasScale);

    /// <inheritdoc />
    public override void Sample(IComputeBackend backend, FloatMatrix means, FloatMatrix destination, RandomStream random)
        => backend.SampleBernoulli(means, destination, random);

    /// <inheritdoc />
    public override void AddVisibleEnergy(IComputeBackend backend, FloatMatrix visible, FloatMatrix bias, FloatMatrix destination)
        => backend.Gemm(Transpose.No, Transpose.Yes, -1f, visible, bias, 1f, destination);
}
