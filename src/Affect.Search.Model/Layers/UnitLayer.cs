using Affect.Search.Compute;

namespace Affect.Search.Model.Layers;

/// <summary>The unit types a layer can have (spec section 1).</summary>
public enum UnitKind
{
    /// <summary>Binary stochastic units.</summary>
    Bernoulli,
    /// <summary>Real-valued units with unit variance on standardised input.</summary>
    Gaussian,
    /// <summary>Word counts over a vocabulary, a document of length M.</summary>
    ReplicatedSoftmax,
}

/// <summary>
/// How one layer's units turn their total input into a mean, draw samples, contribute to the
/// free energy, and prepare raw data. Biases and weights live in the RBM or DBM that uses the layer;
/// a layer object holds only what belongs to the unit type (e.g. a Gaussian layer's standardisation).
/// </summary>
public abstract class UnitLayer
{
    protected UnitLayer(int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"a layer needs at least one unit, got {size}");
        Size = size;
    }

    /// <summary>Number of units.</summary>
    public int Size { get; }

    /// <summary>The unit type.</summary>
    public abstract UnitKind Kind { get; }

    /// <summary>
    /// The factor a hidden layer directly connected to this one applies to its own bias. 1 except for
    /// Replicated Softmax, where it is the document length M (spec section 1).
    /// </summary>
    public virtual float ConnectedBiasScale => 1f;

    /// <summary>Turns total input (W-products, in place) into the units' means, adding <paramref name="bias"/>.</summary>
    public abstract void Activate(IComputeBackend backend, FloatMatrix totalInput, FloatMatrix bias, float biasScale = 1f);

    /// <summary>Draws a sample of the units given their means.</summary>
    public abstract void Sample(IComputeBackend backend, FloatMatrix means, FloatMatrix destination, RandomStream random);

    /// <summary>
    /// Adds this layer's own term of the free energy of a visible configuration to <paramref name="destination"/>
    /// (rows x 1): -b'v for Bernoulli and Replicated Softmax, sum_i (v_i - b_i)^2 / 2 for Gaussian.
    /// </summary>
    public abstract void AddVisibleEnergy(IComputeBackend backend, FloatMatrix visible, FloatMatrix bias, FloatMatrix destination);

    /// <summary>Raw data as this layer consumes it (standardised, rescaled); identity by default.</summary>
    public virtual Data.VisibleData Prepare(Data.VisibleData raw) => raw;

    /// <summary>Creates a layer of a kind.</summary>
    public static UnitLayer Create(UnitKind kind, int size, float documentLength = ReplicatedSoftmaxLayer.DefaultDocumentLength) => kind switch
    {
        UnitKind.Bernoulli => new BernoulliLayer(size),
        UnitKind.Gaussian => new GaussianLayer(size),
        UnitKind.ReplicatedSoftmax => new ReplicatedSoftmaxLayer(size, documentLength),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown unit kind"),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Kind}({Size})";
}
