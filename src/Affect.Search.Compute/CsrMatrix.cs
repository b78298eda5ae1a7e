namespace Affect.Search.Compute;

/// <summary>
/// A host-side compressed-sparse-row float32 matrix, the form word-count vectors take so that
/// a 10,000-word vocabulary never has to be densified for the positive phase.
/// </summary>
public sealed class CsrMatrix
{
    /// <summary>Creates a CSR matrix; validates shapes and column indices.</summary>
    public CsrMatrix(int rows, int cols, int[] rowStarts, int[] columnIndices, float[] values)
    {
        if (rowStarts.Length != rows + 1) throw new ArgumentException($"rowStarts has {rowStarts.Length} entries, expected rows+1 = {rows + 1}");
        if (columnIndices.Length != values.Length) throw new ArgumentException("columnIndices and values differ in length");
        if (rowStarts[0] != 0 || rowStarts[rows] != values.Length) throw new ArgumentException("rowStarts must start at 0 and end at the number of stored values");
        for (int r = 0; r < rows; r++)
            if (rowStarts[r + 1] < rowStarts[r]) throw new ArgumentException($"rowStarts decreases at row {r}");
        foreach (var c in columnIndices)
            if ((uint)c >= (uint)cols) throw new ArgumentException($"column index {c} is outside 0..{cols - 1}");
        Rows = rows;
        Cols = cols;
        RowStarts = rowStarts;
        ColumnIndices = columnIndices;
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }
    /// <summary>Number of columns.</summary>
    public int Cols { get; }
    /// <summary>Row r's entries are at [RowStarts[r], RowStarts[r+1]).</summary>
    public int[] RowStarts { get; }
    /// <summary>Column of each stored value.</summary>
    public int[] ColumnIndices { get; }
    /// <summary>Stored values.</summary>
    public float[] Values { get; }
    /// <summary>Number of stored values.</summary>
    public int NonZeros => Values.Length;

    /// <summary>Builds a CSR matrix from per-row (column, value) lists.</summary>
    public static CsrMatrix FromRows(int cols, IReadOnlyList<IReadOnlyList<(int Column, float Value)>> rows)
    {
        var starts = new int[rows.Count + 1];
        for (int r = 0; r < rows.Count; r++) starts[r + 1] = starts[r] + rows[r].Count;
        var idx = new int[starts[^1]];
        var val = new float[starts[^1]];
        for (int r = 0; r < rows.Count; r++)
        {
            int p = starts[r];
            foreach (var (c, v) in rows[r]) { idx[p] = c; val[p] = v; p++; }
        }
        return new CsrMatrix(rows.Count, cols, starts, idx, val);
    }

    /// <summary>Builds a CSR matrix holding the non-zeros of a dense row-major array.</summary>
    public static CsrMatrix FromDense(ReadOnlySpan<float> dense, int rows, int cols)
    {
        if (dense.Length != (long)rows * cols) throw new ArgumentException("dense length does not match shape");
        var starts = new int[rows + 1];
        var idx = new List<int>();
        var val = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                float v = dense[r * cols + c];
                if (v != 0f) { idx.Add(c); val.Add(v); }
            }
            starts[r + 1] = idx.Count;
        }
        return new CsrMatrix(rows, cols, starts, idx.ToArray(), val.ToArray());
    }

    /// <summary>A new CSR matrix holding the given rows, in the given order.</summary>
    public CsrMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var starts = new int[rows.Length + 1];
        for (int i = 0; i < rows.Length; i++) starts[i + 1] = starts[i] + RowStarts[rows[i] + 1] - RowStarts[rows[i]];
        var idx = new int[starts[^1]];
        var val = new float[starts[^1]];
        for (int i = 0; i < rows.Length; i++)
        {
            int from = RowStarts[rows[i]], n = RowStarts[rows[i] + 1] - from;
            Array.Copy(ColumnIndices, from, idx, starts[i], n);
            Array.Copy(Values, from, val, starts[i], n);
        }
        return new CsrMatrix(rows.Length, Cols, starts, idx, val);
    }

    /// <summary>Densifies (tests and small matrices only).</summary>
    public float[] ToDense()
    {
        var d = new float[(long)Rows * Cols];
        for (int r = 0; r < Rows; r++)
            for (int p = RowStarts[r]; p < RowStarts[r + 1]; p++) d[(long)r * Cols + ColumnIndices[p]] += Values[p];
        return d;
    }
}

/// <summary>A <see cref="CsrMatrix"/> uploaded to a backend.</summary>
public abstract class SparseFloatMatrix : IDisposable
{
    protected SparseFloatMatrix(IComputeBackend backend, CsrMatrix host)
    {
        Backend = backend;
        Host = host;
    }

    /// <summary>The owning backend.</summary>
    public IComputeBackend Backend { get; }
    /// <summary>The host copy it was made from.</summary>
    public CsrMatrix Host { get; }
    /// <summary>Number of rows.</summary>
    public int Rows => Host.Rows;
    /// <summary>Number of columns.</summary>
    public int Cols => Host.Cols;

    /// <inheritdoc />
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
