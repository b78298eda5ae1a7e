namespace Affect.Search.Compute;

/// <summary>
/// The float32 kernels the model needs, and nothing more. All matrices are row-major and were
/// allocated by this backend. Operations are synchronous from the caller's view: when a method
/// returns, its result can be read (GPU backends may queue work but must order it).
/// Random draws use <see cref="RandomStream"/> keys so that every backend samples identically.
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>A short human-readable name, e.g. "cpu/openblas" or "ilgpu/cuda".</summary>
    string Name { get; }

    /// <summary>A zero-filled matrix.</summary>
    FloatMatrix Allocate(int rows, int cols);

    /// <summary>Copies host data (row-major, exactly rows*cols values) into the matrix.</summary>
    void Upload(ReadOnlySpan<float> source, FloatMatrix destination);

    /// <summary>Copies the matrix to host memory.</summary>
    void Download(FloatMatrix source, Span<float> destination);

    /// <summary>Uploads a sparse matrix.</summary>
    SparseFloatMatrix Upload(CsrMatrix source);

    /// <summary>destination = source (same shape).</summary>
    void Copy(FloatMatrix source, FloatMatrix destination);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(FloatMatrix matrix, float value);

    /// <summary>C = alpha * op(A) * op(B) + beta * C.</summary>
    void Gemm(Transpose transposeA, Transpose transposeB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c);

    /// <summary>C = alpha * op(S) * B + beta * C with S sparse (op(S) = S or S').</summary>
    void SparseGemm(Transpose transposeS, float alpha, SparseFloatMatrix s, FloatMatrix b, float beta, FloatMatrix c);

    /// <summary>m[r, c] += alpha * v[c], with v a 1 x m.Cols matrix.</summary>
    void AddRowVector(FloatMatrix matrix, FloatMatrix rowVector, float alpha);

    /// <summary>destination[c] = alpha * sum_r m[r, c] + beta * destination[c], destination 1 x m.Cols.</summary>
    void ColumnSums(float alpha, FloatMatrix matrix, float beta, FloatMatrix destination);

    /// <summary>destination[r] = sum_c m[r, c], destination m.Rows x 1.</summary>
    void RowSums(FloatMatrix matrix, FloatMatrix destination);

    /// <summary>m = sigmoid(m + biasScale * bias) element-wise; bias (1 x Cols) may be null.</summary>
    void Logistic(FloatMatrix matrix, FloatMatrix? bias, float biasScale);

    /// <summary>m[r, :] = scale * softmax(m[r, :] + bias); bias (1 x Cols) may be null.</summary>
    void SoftmaxRows(FloatMatrix matrix, FloatMatrix? bias, float scale);

    /// <summary>destination[r] = sum_c softplus(m[r, c]) = sum_c log(1 + exp(m[r, c])), destination m.Rows x 1.</summary>
    void SoftplusRowSums(FloatMatrix matrix, FloatMatrix destination);

    /// <summary>destination[r] = sum_c (m[r, c] - v[c])^2, v 1 x m.Cols, destination m.Rows x 1.</summary>
    void SquaredDistanceRows(FloatMatrix matrix, FloatMatrix rowVector, FloatMatrix destination);

    /// <summary>destination = 1 where u &lt; probabilities else 0, u uniform from the stream's next key.</summary>
    void SampleBernoulli(FloatMatrix probabilities, FloatMatrix destination, RandomStream random);

    /// <summary>m += standardDeviation * N(0, 1).</summary>
    void AddGaussianNoise(FloatMatrix matrix, float standardDeviation, RandomStream random);

    /// <summary>
    /// destination[r, :] = counts of <paramref name="draws"/> categorical draws from row r of
    /// <paramref name="probabilities"/> (rows are normalised by their sum first). The destination may be
    /// the probabilities matrix itself.
    /// </summary>
    void SampleMultinomialRows(FloatMatrix probabilities, int draws, FloatMatrix destination, RandomStream random);

    /// <summary>y = alpha * x + beta * y (x and y may be the same matrix).</summary>
    void Axpby(float alpha, FloatMatrix x, float beta, FloatMatrix y);

    /// <summary>m[r, :] = source[r, :] for every row r whose rowMask[r] is non-zero; rowMask is m.Rows x 1.</summary>
    void CopyMaskedRows(FloatMatrix source, FloatMatrix rowMask, FloatMatrix destination);

    /// <summary>sum of (a - b)^2 over all elements, accumulated in double.</summary>
    double SumOfSquaredDifferences(FloatMatrix a, FloatMatrix b);

    /// <summary>sum of all elements, accumulated in double.</summary>
    double Sum(FloatMatrix matrix);
}
