using Affect.Search.Compute;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;

namespace Affect.Search.Model.Inference;

/// <summary>
/// One uploaded batch for mean-field: per visible layer, the observed rows (absent rows zeroed or
/// empty) and which rows are missing.
/// </summary>
public sealed class MeanFieldBatch : IDisposable
{
    private readonly Dictionary<DbmNode, Input> _inputs = new();

    /// <summary>Uploads rows <paramref name="rows"/> of prepared inputs.</summary>
    public MeanFieldBatch(MultimodalDbm dbm, PreparedInputs inputs, ReadOnlySpan<int> rows)
    {
        Rows = rows.Length;
        var backend = dbm.Backend;
        foreach (var v in dbm.Visibles)
        {
            var (data, presentAll) = inputs[v];
            var present = new bool[rows.Length];
            for (int i = 0; i < rows.Length; i++) present[i] = data is not null && presentAll[rows[i]];
            VisibleBatch? batch = null;
            if (data is not null && present.Any(p => p))
            {
                batch = data switch
                {
                    SparseVisibleData s => new SparseVisibleData(EmptyAbsentRows(s.Counts.SelectRows(rows), present)).GatherAll(backend),
                    _ => ZeroAbsentRows(backend, data.Gather(backend, rows), present),
                };
            }
            _inputs[v] = new Input(batch, present, backend);
        }
    }

    /// <summary>Number of items in the batch.</summary>
    public int Rows { get; }

    /// <summary>The observed data of a visible layer; null when no row has it.</summary>
    public VisibleBatch? Observed(DbmNode visible) => _inputs[visible].Batch;

    /// <summary>Per row: is the visible layer observed.</summary>
    public IReadOnlyList<bool> Present(DbmNode visible) => _inputs[visible].Present;

    /// <summary>Rows x 1: 1 where the visible layer is missing.</summary>
    public FloatMatrix MissingMask(DbmNode visible) => _inputs[visible].MissingMask;

    /// <summary>Whether any row lacks the visible layer.</summary>
    public bool AnyMissing(DbmNode visible) => _inputs[visible].AnyMissing;

    private static CsrMatrix EmptyAbsentRows(CsrMatrix m, bool[] present)
    {
        if (present.All(p => p)) return m;
        var keep = new List<(int, float)>[m.Rows];
        for (int r = 0; r < m.Rows; r++)
        {
            keep[r] = new();
            if (!present[r]) continue;
            for (int p = m.RowStarts[r]; p < m.RowStarts[r + 1]; p++) keep[r].Add((m.ColumnIndices[p], m.Values[p]));
        }
        return CsrMatrix.FromRows(m.Cols, keep);
    }

    private static VisibleBatch ZeroAbsentRows(IComputeBackend backend, VisibleBatch batch, bool[] present)
    {
        if (present.All(p => p)) return batch;
        using var zeros = backend.Allocate(batch.Rows, batch.Dimension);
        using var absent = backend.FromArray(present.Select(p => p ? 0f : 1f).ToArray(), present.Length, 1);
        backend.CopyMaskedRows(zeros, absent, batch.Dense!);
        return batch;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var input in _inputs.Values) input.Dispose();
    }

    private sealed class Input : IDisposable
    {
        public Input(VisibleBatch? batch, bool[] present, IComputeBackend backend)
        {
            Batch = batch;
            Present = present;
            AnyMissing = present.Any(p => !p);
            MissingMask = backend.FromArray(present.Select(p => p ? 0f : 1f).ToArray(), present.Length, 1);
        }

        public VisibleBatch? Batch { get; }
        public bool[] Present { get; }
        public bool AnyMissing { get; }
        public FloatMatrix MissingMask { get; }

        public void Dispose()
        {
            Batch?.Dispose();
            MissingMask.Dispose();
        }
    }
}
