using Affect.Search.Compute;
using Affect.Search.Model.Dbm;

namespace Affect.Search.Model.Inference;

/// <summary>
/// The mean-field values of every layer for one batch: hidden layers (rows x size) and, for visible
/// layers with missing rows, their free values (zero on observed rows, inferred on missing rows).
/// </summary>
public sealed class MeanFieldState : IDisposable
{
    private readonly Dictionary<DbmNode, FloatMatrix> _values = new();
    private readonly Dictionary<DbmNode, FloatMatrix> _free = new();
    private readonly Dictionary<DbmNode, FloatMatrix> _absent = new();
    private readonly Dictionary<DbmNode, FloatMatrix> _zeros = new();

    internal MeanFieldState(MultimodalDbm dbm, MeanFieldBatch batch, MissingModalityPolicy policy)
    {
        var backend = dbm.Backend;
        foreach (var h in dbm.Hiddens) _values[h] = backend.Allocate(batch.Rows, h.Size);
        if (policy == MissingModalityPolicy.Infer)
            foreach (var v in dbm.Visibles)
                if (batch.AnyMissing(v)) _free[v] = backend.Allocate(batch.Rows, v.Size);
        // Rows of a hidden layer with no observed data below it: held at zero when skipping, and during
        // the bottom-up initialisation pass when inferring.
        var observed = new Dictionary<DbmNode, bool[]>();
        foreach (var node in dbm.Nodes)
        {
            var rows = new bool[batch.Rows];
            if (node.IsVisible) { for (int r = 0; r < rows.Length; r++) rows[r] = batch.Present(node)[r]; }
            else
            {
                foreach (var c in node.Children)
                    for (int r = 0; r < rows.Length; r++) rows[r] |= observed[c][r];
                if (rows.Any(x => !x))
                {
                    _absent[node] = backend.FromArray(rows.Select(x => x ? 0f : 1f).ToArray(), rows.Length, 1);
                    _zeros[node] = backend.Allocate(batch.Rows, node.Size);
                }
            }
            observed[node] = rows;
        }
    }

    /// <summary>A hidden layer's mean-field values.</summary>
    public FloatMatrix this[DbmNode hidden] => _values[hidden];

    /// <summary>A visible layer's free values, null when all its rows are observed (or it is skipped).</summary>
    public FloatMatrix? Free(DbmNode visible) => _free.GetValueOrDefault(visible);

    internal FloatMatrix? AbsentMask(DbmNode hidden) => _absent.GetValueOrDefault(hidden);

    internal FloatMatrix Zeros(DbmNode hidden) => _zeros[hidden];

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var m in _values.Values.Concat(_free.Values).Concat(_absent.Values).Concat(_zeros.Values)) m.Dispose();
    }
}
