namespace Affect.Search.Compute;

/// <summary>
/// A dense row-major float32 matrix that lives wherever its <see cref="IComputeBackend"/> keeps memory
/// (host arrays for the CPU backend, device buffers for ILGPU). Only the backend that allocated it may use it.
/// </summary>
public abstract class FloatMatrix : IDisposable
{
    protected FloatMatrix(IComputeBackend backend, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"matrix shape {rows}x{cols} is negative");
        Backend = backend;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>The backend that owns this matrix's memory.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Rows * Cols.</summary>
    public long Length => (long)Rows * Cols;

    /// <summary>Copies the matrix to a new host array (row-major).</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Backend.Download(this, result);
        return result;
    }

    /// <inheritdoc />
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}[{Rows}x{Cols}]";
}

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>op(X) = X.</summary>
    No,
    /// <summary>op(X) = X'.</summary>
    Yes,
}
