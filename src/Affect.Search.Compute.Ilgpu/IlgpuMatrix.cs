using ILGPU;
using ILGPU.Runtime;

namespace Affect.Search.Compute.Ilgpu;

/// <summary>A <see cref="FloatMatrix"/> held in accelerator memory (row-major, dense).</summary>
public sealed class IlgpuMatrix : FloatMatrix
{
    internal IlgpuMatrix(IlgpuBackend backend, Accelerator accelerator, int rows, int cols) : base(backend, rows, cols)
    {
        // ILGPU refuses zero-length buffers on some accelerators, so empty matrices get one spare element.
        Buffer = accelerator.Allocate1D<float>(Math.Max(1L, Length));
        View = Buffer.View.SubView(0, Length);
    }

    /// <summary>The device buffer (may be one element longer than <see cref="FloatMatrix.Length"/> for empty matrices).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; }

    /// <summary>Exactly the matrix's Rows * Cols elements.</summary>
    public ArrayView1D<float, Stride1D.Dense> View { get; }

    /// <inheritdoc />
    public override void Dispose()
    {
        Buffer.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// A <see cref="SparseFloatMatrix"/> on the accelerator: the CSR arrays of S and, built on the host
/// at upload, the CSR arrays of S' so that op(S) = S' needs neither atomics nor a scatter pass.
/// That doubles the (small) sparse footprint in exchange for deterministic, coalesced products.
/// </summary>
public sealed class IlgpuSparseMatrix : SparseFloatMatrix
{
    internal IlgpuSparseMatrix(IlgpuBackend backend, Accelerator accelerator, CsrMatrix host) : base(backend, host)
    {
        Forward = new DeviceCsr(accelerator, host.RowStarts, host.ColumnIndices, host.Values);
        var (starts, columns, values) = TransposeOf(host);
        Transposed = new DeviceCsr(accelerator, starts, columns, values);
    }

    /// <summary>S in CSR form.</summary>
    public DeviceCsr Forward { get; }

    /// <summary>S' in CSR form (the CSC form of S).</summary>
    public DeviceCsr Transposed { get; }

    /// <inheritdoc />
    public override void Dispose()
    {
        Forward.Dispose();
        Transposed.Dispose();
        base.Dispose();
    }

    /// <summary>Counting-sort transpose; within each output row the entries keep S's row order.</summary>
    internal static (int[] RowStarts, int[] Columns, float[] Values) TransposeOf(CsrMatrix s)
    {
        var starts = new int[s.Cols + 1];
        foreach (int c in s.ColumnIndices) starts[c + 1]++;
        for (int c = 0; c < s.Cols; c++) starts[c + 1] += starts[c];
        var next = (int[])starts.Clone();
        var columns = new int[s.NonZeros];
        var values = new float[s.NonZeros];
        for (int r = 0; r < s.Rows; r++)
        {
            for (int p = s.RowStarts[r]; p < s.RowStarts[r + 1]; p++)
            {
                int q = next[s.ColumnIndices[p]]++;
                columns[q] = r;
                values[q] = s.Values[p];
            }
        }
        return (starts, columns, values);
    }
}

/// <summary>Three device arrays of one CSR matrix.</summary>
public sealed class DeviceCsr : IDisposable
{
    internal DeviceCsr(Accelerator accelerator, int[] rowStarts, int[] columns, float[] values)
    {
        RowStarts = accelerator.Allocate1D(rowStarts);
        // Pad empty arrays to one element: ILGPU may refuse zero-length buffers.
        Columns = accelerator.Allocate1D(columns.Length == 0 ? [0] : columns);
        Values = accelerator.Allocate1D(values.Length == 0 ? [0f] : values);
    }

    /// <summary>Rows + 1 offsets.</summary>
    public MemoryBuffer1D<int, Stride1D.Dense> RowStarts { get; }
    /// <summary>Column index of each stored value.</summary>
    public MemoryBuffer1D<int, Stride1D.Dense> Columns { get; }
    /// <summary>Stored values.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Values { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        RowStarts.Dispose();
        Columns.Dispose();
        Values.Dispose();
    }
}
