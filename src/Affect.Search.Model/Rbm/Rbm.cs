using Affect.Search.Compute;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Rbm;

/// <summary>
/// A restricted Boltzmann machine between a visible layer of any unit type and a binary hidden
/// layer (spec section 1). <see cref="UpFactor"/> and <see cref="DownFactor"/> implement the DBM
/// pretraining correction of Salakhutdinov and Hinton (2009, spec section 3): a layer that will
/// later also receive input from the other side is trained with its input from this RBM doubled.
/// </summary>
public sealed class RestrictedBoltzmannMachine : IDisposable
{
    /// <summary>Creates an RBM with small random weights (N(0, 0.01^2)) and zero biases.</summary>
    public RestrictedBoltzmannMachine(IComputeBackend backend, UnitLayer visible, int hiddenUnits, RandomStream random, float initialWeightStd = 0.01f)
    {
        Backend = backend;
        Visible = visible;
        Hidden = new BernoulliLayer(hiddenUnits);
        var w = new float[(long)visible.Size * hiddenUnits];
        random.FillNormal(w, initialWeightStd);
        Weights = backend.FromArray(w, visible.Size, hiddenUnits);
        VisibleBias = backend.Allocate(1, visible.Size);
        HiddenBias = backend.Allocate(1, hiddenUnits);
    }

    /// <summary>The backend holding the parameters.</summary>
    public IComputeBackend Backend { get; }
    /// <summary>The visible units.</summary>
    public UnitLayer Visible { get; }
    /// <summary>The hidden (binary) units.</summary>
    public BernoulliLayer Hidden { get; }
    /// <summary>W, |v| x |h|.</summary>
    public FloatMatrix Weights { get; }
    /// <summary>b, 1 x |v|.</summary>
    public FloatMatrix VisibleBias { get; }
    /// <summary>a, 1 x |h|.</summary>
    public FloatMatrix HiddenBias { get; }
    /// <summary>Multiplier on the bottom-up input to the hidden units (2 when the hidden layer also has a layer above it in the DBM).</summary>
    public float UpFactor { get; set; } = 1f;
    /// <summary>Multiplier on the top-down input to the visible units (2 when the visible layer also has a layer below it in the DBM).</summary>
    public float DownFactor { get; set; } = 1f;

    /// <summary>The hidden bias is scaled by M when the visible layer is Replicated Softmax.</summary>
    public float HiddenBiasScale => Visible.ConnectedBiasScale;

    /// <summary>hidden = P(h = 1 | v) = sigma(UpFactor * v W + s a).</summary>
    public void HiddenMeans(VisibleBatch visible, FloatMatrix hidden)
    {
        visible.Project(Backend, UpFactor, Weights, 0f, hidden);
        Hidden.Activate(Backend, hidden, HiddenBias, HiddenBiasScale);
    }

    /// <summary>hidden = P(h = 1 | v) for a dense visible matrix.</summary>
    public void HiddenMeans(FloatMatrix visible, FloatMatrix hidden)
    {
        Backend.Gemm(Transpose.No, Transpose.No, UpFactor, visible, Weights, 0f, hidden);
        Hidden.Activate(Backend, hidden, HiddenBias, HiddenBiasScale);
    }

    /// <summary>visible = E[v | h] (sigmoid, Gaussian mean, or M * softmax).</summary>
    public void VisibleMeans(FloatMatrix hidden, FloatMatrix visible)
    {
        Backend.Gemm(Transpose.No, Transpose.Yes, DownFactor, hidden, Weights, 0f, visible);
        Visible.Activate(Backend, visible, VisibleBias);
    }

    /// <summary>
    /// Free energy F(v) per row (spec section 1): the visible term plus -sum_j softplus(v W + s a)_j.
    /// Uses the plain RBM (factors 1): it is a monitoring quantity of the model being learned.
    /// </summary>
    public float[] FreeEnergy(VisibleBatch visible)
    {
        using var pre = Backend.Allocate(visible.Rows, Hidden.Size);
        visible.Project(Backend, 1f, Weights, 0f, pre);
        Backend.AddRowVector(pre, HiddenBias, HiddenBiasScale);
        using var energy = Backend.Allocate(visible.Rows, 1);
        Backend.SoftplusRowSums(pre, energy);
        Backend.Scale(energy, -1f);
        if (visible.Sparse is not null && Visible.Kind != UnitKind.Gaussian)
        {
            // -b'v straight from the sparse counts: no densifying of a large vocabulary.
            using var biasColumn = Backend.FromArray(VisibleBias.ToArray(), Visible.Size, 1);
            Backend.SparseGemm(Transpose.No, -1f, visible.Sparse, biasColumn, 1f, energy);
        }
        else
        {
            using var dense = visible.ToDense(Backend);
            Visible.AddVisibleEnergy(Backend, dense, VisibleBias, energy);
        }
        return energy.ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Weights.Dispose();
        VisibleBias.Dispose();
        HiddenBias.Dispose();
    }
}
