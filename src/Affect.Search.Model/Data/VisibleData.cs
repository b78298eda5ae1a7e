using Affect.Search.Compute;

namespace Affect.Search.Model.Data;

/// <summary>Host-side data for one visible layer: <see cref="Count"/> items of <see cref="Dimension"/> values.</summary>
public abstract class VisibleData
{
    /// <summary>Number of items (rows).</summary>
    public abstract int Count { get; }

    /// <summary>Values per item.</summary>
    public abstract int Dimension { get; }

    /// <summary>Uploads the given rows, in order, as one batch.</summary>
    public abstract VisibleBatch Gather(IComputeBackend backend, ReadOnlySpan<int> rows);

    /// <summary>A new data set holding the given rows.</summary>
    public abstract VisibleData Select(ReadOnlySpan<int> rows);

    /// <summary>Uploads all rows.</summary>
    public VisibleBatch GatherAll(IComputeBackend backend)
    {
        var all = new int[Count];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        return Gather(backend, all);
    }
}

/// <summary>Dense row-major real-valued data.</summary>
public sealed class DenseVisibleData : VisibleData
{
    /// <summary>Wraps row-major values.</summary>
    public DenseVisibleData(float[] values, int count, int dimension)
    {
        if (values.Length != (long)count * dimension) throw new ArgumentException($"{values.Length} values do not fill {count} rows of {dimension}");
        Values = values;
        _count = count;
        _dimension = dimension;
    }

    private readonly int _count, _dimension;

    /// <summary>The row-major values.</summary>
    public float[] Values { get; }

    /// <inheritdoc />
    public override int Count => _count;

    /// <inheritdoc />
    public override int Dimension => _dimension;

    /// <summary>Row r.</summary>
    public ReadOnlySpan<float> Row(int r) => Values.AsSpan(r * _dimension, _dimension);

    /// <inheritdoc />
    public override VisibleData Select(ReadOnlySpan<int> rows) => new DenseVisibleData(Copy(rows), rows.Length, _dimension);

    /// <inheritdoc />
    public override VisibleBatch Gather(IComputeBackend backend, ReadOnlySpan<int> rows)
        => new(backend.FromArray(Copy(rows), rows.Length, _dimension));

    private float[] Copy(ReadOnlySpan<int> rows)
    {
        var buffer = new float[(long)rows.Length * _dimension];
        for (int i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(buffer.AsSpan(i * _dimension, _dimension));
        return buffer;
    }
}

/// <summary>Sparse counts (word-count vectors), kept sparse end to end in the positive phase.</summary>
public sealed class SparseVisibleData : VisibleData
{
    /// <summary>Wraps a CSR matrix.</summary>
    public SparseVisibleData(CsrMatrix counts) => Counts = counts;

    /// <summary>The counts.</summary>
    public CsrMatrix Counts { get; }

    /// <inheritdoc />
    public override int Count => Counts.Rows;

    /// <inheritdoc />
    public override int Dimension => Counts.Cols;

    /// <inheritdoc />
    public override VisibleData Select(ReadOnlySpan<int> rows) => new SparseVisibleData(Counts.SelectRows(rows));

    /// <inheritdoc />
    public override VisibleBatch Gather(IComputeBackend backend, ReadOnlySpan<int> rows)
    {
        var selected = Counts.SelectRows(rows);
        return new VisibleBatch(backend.Upload(selected), ColumnSums(selected, backend));
    }

    private static FloatMatrix ColumnSums(CsrMatrix m, IComputeBackend backend)
    {
        var sums = new float[m.Cols];
        for (int p = 0; p < m.NonZeros; p++) sums[m.ColumnIndices[p]] += m.Values[p];
        return backend.FromArray(sums, 1, m.Cols);
    }
}

/// <summary>
/// One uploaded batch of visible data, dense or sparse. It offers the three products a layer's
/// visible data takes part in, so trainers never densify sparse word counts.
/// </summary>
public sealed class VisibleBatch : IDisposable
{
    private readonly FloatMatrix? _sparseColumnSums;

    /// <summary>A dense batch (takes ownership).</summary>
    public VisibleBatch(FloatMatrix dense)
    {
        Dense = dense;
        Rows = dense.Rows;
        Dimension = dense.Cols;
    }

    /// <summary>A sparse batch with its precomputed column sums (takes ownership).</summary>
    public VisibleBatch(SparseFloatMatrix sparse, FloatMatrix columnSums)
    {
        Sparse = sparse;
        _sparseColumnSums = columnSums;
        Rows = sparse.Rows;
        Dimension = sparse.Cols;
    }

    /// <summary>The dense values, when dense.</summary>
    public FloatMatrix? Dense { get; }

    /// <summary>The sparse values, when sparse.</summary>
    public SparseFloatMatrix? Sparse { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Values per row.</summary>
    public int Dimension { get; }

    /// <summary>output = alpha * V * W + beta * output.</summary>
    public void Project(IComputeBackend backend, float alpha, FloatMatrix weights, float beta, FloatMatrix output)
    {
        if (Dense is not null) backend.Gemm(Transpose.No, Transpose.No, alpha, Dense, weights, beta, output);
        else backend.SparseGemm(Transpose.No, alpha, Sparse!, weights, beta, output);
    }

    /// <summary>gradient = alpha * V' * H + beta * gradient (the data half of a weight gradient).</summary>
    public void AccumulateOuter(IComputeBackend backend, float alpha, FloatMatrix hidden, float beta, FloatMatrix gradient)
    {
        if (Dense is not null) backend.Gemm(Transpose.Yes, Transpose.No, alpha, Dense, hidden, beta, gradient);
        else backend.SparseGemm(Transpose.Yes, alpha, Sparse!, hidden, beta, gradient);
    }

    /// <summary>destination = alpha * column sums of V + beta * destination.</summary>
    public void AccumulateColumnSums(IComputeBackend backend, float alpha, float beta, FloatMatrix destination)
    {
        if (Dense is not null) backend.ColumnSums(alpha, Dense, beta, destination);
        else backend.Axpby(alpha, _sparseColumnSums!, beta, destination);
    }

    /// <summary>A dense copy (for small batches and for the visible energy term).</summary>
    public FloatMatrix ToDense(IComputeBackend backend)
    {
        if (Dense is not null)
        {
            var copy = backend.Allocate(Rows, Dimension);
            backend.Copy(Dense, copy);
            return copy;
        }
        return backend.FromArray(Sparse!.Host.ToDense(), Rows, Dimension);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dense?.Dispose();
        Sparse?.Dispose();
        _sparseColumnSums?.Dispose();
    }
}
