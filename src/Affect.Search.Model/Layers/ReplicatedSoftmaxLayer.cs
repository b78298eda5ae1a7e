using Affect.Search.Compute;
using Affect.Search.Model.Data;

namespace Affect.Search.Model.Layers;

/// <summary>
/// Replicated Softmax word counts (Salakhutdinov and Hinton 2009; spec section 1): a document of
/// length M is M draws from softmax(b + W h). Every count vector is rescaled to sum to
/// <see cref="DocumentLength"/> (the paper uses 5) so that one M holds for all items, and a hidden
/// layer connected to this one scales its bias by M.
/// </summary>
public sealed class ReplicatedSoftmaxLayer : UnitLayer
{
    /// <summary>The paper's document length.</summary>
    public const float DefaultDocumentLength = 5f;

    /// <summary>Creates a layer over a <paramref name="size"/>-word vocabulary.</summary>
    public ReplicatedSoftmaxLayer(int size, float documentLength = DefaultDocumentLength) : base(size)
    {
        if (!(documentLength > 0)) throw new ArgumentOutOfRangeException(nameof(documentLength), "document length must be positive");
        DocumentLength = documentLength;
    }

    /// <inheritdoc />
    public override UnitKind Kind => UnitKind.ReplicatedSoftmax;

    /// <summary>M: the length every document is rescaled to.</summary>
    public float DocumentLength { get; }

    /// <inheritdoc />
    public override float ConnectedBiasScale => DocumentLength;

    /// <inheritdoc />
    public override VisibleData Prepare(VisibleData raw)
    {
        if (raw is not SparseVisibleData sparse) throw new ArgumentException("a Replicated Softmax layer needs sparse word counts");
        if (sparse.Dimension != Size) throw new ArgumentException($"vocabulary of {Size} words got counts of dimension {sparse.Dimension}");
        var c = sparse.Counts;
        var values = new float[c.Values.Length];
        for (int r = 0; r < c.Rows; r++)
        {
            double total = 0;
            for (int p = c.RowStarts[r]; p < c.RowStarts[r + 1]; p++)
            {
                if (c.Values[p] < 0) throw new ArgumentException($"row {r} has a negative word count");
                total += c.Values[p];
            }
            float scale = total > 0 ? (float)(DocumentLength / total) : 0f;
            for (int p = c.RowStarts[r]; p < c.RowStarts[r + 1]; p++) values[p] = c.Values[p] * scale;
        }
        return new SparseVisibleData(new CsrMatrix(c.Rows, c.Cols, c.RowStarts, c.ColumnIndices, values));
    }

    /// <inheritdoc />
    public override void Activate(IComputeBackend backend, FloatMatrix totalInput, FloatMatrix bias, float biasScale = 1f)
        => backend.SoftmaxRows(totalInput, bias, DocumentLength);

    /// <inheritdoc />
    public override void Sample(IComputeBackend backend, FloatMatrix means, FloatMatrix destination, RandomStream random)
        => backend.SampleMultinomialRows(means, (int)MathF.Round(DocumentLength), destination, random);

    /// <inheritdoc />
    public override void AddVisibleEnergy(IComputeBackend backend, FloatMatrix visible, FloatMatrix bias, FloatMatrix destination)
        => backend.Gemm(Transpose.No, Transpose.Yes, -1f, visible, bias, 1f, destination);
}
