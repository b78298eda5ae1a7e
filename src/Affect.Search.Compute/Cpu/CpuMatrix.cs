namespace Affect.Search.Compute.Cpu;

/// <summary>A <see cref="FloatMatrix"/> backed by a managed array.</summary>
public sealed class CpuMatrix : FloatMatrix
{
    internal CpuMatrix(IComputeBackend backend, int rows, int cols) : base(backend, rows, cols)
        => Data = new float[(long)rows * cols];

    /// <summary>The row-major elements.</summary>
    public float[] Data { get; }

    /// <summary>Row r as a span.</summary>
    public Span<float> Row(int r) => Data.AsSpan(r * Cols, Cols);
}

/// <summary>A <see cref="SparseFloatMatrix"/> that simply keeps the host CSR arrays.</summary>
public sealed class CpuSparseMatrix : SparseFloatMatrix
{
    internal CpuSparseMatrix(IComputeBackend backend, CsrMatrix host) : base(backend, host) { }
}
