using ILGPU;

namespace Affect.Search.Compute.Ilgpu;

/// <summary>
/// The ILGPU kernels behind <see cref="IlgpuBackend"/>. Each is a static method that ILGPU compiles
/// to PTX (CUDA) or runs on its CPU accelerator. Flags are passed as ints rather than bools because
/// they are uniform per launch and ints keep the kernel signatures blittable on every backend.
/// Public so that tests can compile them for a GPU architecture without a GPU present.
/// </summary>
public static class IlgpuKernels
{
    /// <summary>GEMM block tile: each 16x16 thread group computes a 64x64 block of C.</summary>
    public const int GemmTile = 64;
    /// <summary>GEMM depth tile: the slice of the inner dimension staged in shared memory per step.</summary>
    public const int GemmDepth = 16;
    /// <summary>GEMM threads per group side (16x16 = 256 threads, 4x4 outputs each).</summary>
    public const int GemmThreads = 16;
    /// <summary>Threads per group for the per-row reductions (softmax, row sums, ...).</summary>
    public const int RowGroup = 128;
    /// <summary>Threads per group for the whole-matrix double reductions.</summary>
    public const int ReduceGroup = 256;

    // Shared-tile row strides, padded by one so that transposed tile loads do not hit one bank.
    private const int AStride = GemmDepth + 1;
    private const int BStride = GemmTile + 1;

    /// <summary>Register-blocked, shared-memory tiled C = alpha * op(A) * op(B) + beta * C (row-major).</summary>
    /// <remarks>
    /// Launch with groups of 16x16 and a grid of ceil(n/64) x ceil(m/64). Thread (tx, ty) owns the
    /// outputs at rows ty + 16i and columns tx + 16j (i, j &lt; 4): strided ownership keeps the
    /// shared-memory reads conflict-free and the final stores coalesced. Tile loads pick their
    /// thread-to-element mapping by transpose case so that consecutive threads read consecutive
    /// global addresses in all four cases.
    /// </remarks>
    public static void Gemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        int m, int n, int k, float alpha, float beta, int transA, int transB)
    {
        var aTile = SharedMemory.Allocate1D<float>(GemmTile * AStride); // aTile[r * AStride + p] = op(A)[row0 + r, k0 + p]
        var bTile = SharedMemory.Allocate1D<float>(GemmDepth * BStride); // bTile[p * BStride + j] = op(B)[k0 + p, col0 + j]
        int tx = Group.IdxX, ty = Group.IdxY;
        int t = ty * GemmThreads + tx;
        int row0 = Grid.IdxY * GemmTile, col0 = Grid.IdxX * GemmTile;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < k; k0 += GemmDepth)
        {
            // 64x16 elements of op(A) and 16x64 of op(B): four of each per thread.
            for (int e = 0; e < 4; e++)
            {
                int idx = t + e * GemmThreads * GemmThreads;
                int r, p;
                if (transA == 0) { r = idx / GemmDepth; p = idx % GemmDepth; } // A is m x k: walk along k
                else { r = idx % GemmTile; p = idx / GemmTile; }              // A is k x m: walk along m
                int gr = row0 + r, gp = k0 + p;
                float av = 0f;
                if (gr < m && gp < k) av = transA == 0 ? a[(long)gr * k + gp] : a[(long)gp * m + gr];
                aTile[r * AStride + p] = av;

                int q, j;
                if (transB == 0) { j = idx % GemmTile; q = idx / GemmTile; }   // B is k x n: walk along n
                else { q = idx % GemmDepth; j = idx / GemmDepth; }             // B is n x k: walk along k
                int gq = k0 + q, gj = col0 + j;
                float bv = 0f;
                if (gq < k && gj < n) bv = transB == 0 ? b[(long)gq * n + gj] : b[(long)gj * k + gq];
                bTile[q * BStride + j] = bv;
            }
            Group.Barrier();

            for (int p = 0; p < GemmDepth; p++)
            {
                float a0 = aTile[ty * AStride + p];
                float a1 = aTile[(ty + 16) * AStride + p];
                float a2 = aTile[(ty + 32) * AStride + p];
                float a3 = aTile[(ty + 48) * AStride + p];
                int bo = p * BStride + tx;
                float b0 = bTile[bo], b1 = bTile[bo + 16], b2 = bTile[bo + 32], b3 = bTile[bo + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }

        int r0 = row0 + ty, j0 = col0 + tx;
        StoreRow(c, m, n, r0, j0, alpha, beta, c00, c01, c02, c03);
        StoreRow(c, m, n, r0 + 16, j0, alpha, beta, c10, c11, c12, c13);
        StoreRow(c, m, n, r0 + 32, j0, alpha, beta, c20, c21, c22, c23);
        StoreRow(c, m, n, r0 + 48, j0, alpha, beta, c30, c31, c32, c33);
    }

    private static void StoreRow(ArrayView<float> c, int m, int n, int r, int j0, float alpha, float beta,
        float v0, float v1, float v2, float v3)
    {
        if (r >= m) return;
        long o = (long)r * n;
        Store(c, o, n, j0, alpha, beta, v0);
        Store(c, o, n, j0 + 16, alpha, beta, v1);
        Store(c, o, n, j0 + 32, alpha, beta, v2);
        Store(c, o, n, j0 + 48, alpha, beta, v3);
    }

    private static void Store(ArrayView<float> c, long rowOffset, int n, int j, float alpha, float beta, float v)
    {
        if (j >= n) return;
        long i = rowOffset + j;
        // beta == 0 must ignore C entirely (it may hold NaN from an earlier use), as BLAS does.
        c[i] = beta == 0f ? alpha * v : alpha * v + beta * c[i];
    }

    /// <summary>C[r, j] = alpha * sum_p S[r, p] * B[p, j] + beta * C[r, j], one thread per element of C.</summary>
    /// <remarks>Also serves op(S) = S': the backend keeps the transpose of S in CSR form (built on upload).</remarks>
    public static void SparseRows(Index1D index, ArrayView<int> rowStarts, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> b, ArrayView<float> c, int n, float alpha, float beta)
    {
        int i = index;
        int r = i / n, j = i % n;
        float sum = 0f;
        for (int p = rowStarts[r]; p < rowStarts[r + 1]; p++)
            sum += values[p] * b[(long)columns[p] * n + j];
        c[i] = beta == 0f ? alpha * sum : alpha * sum + beta * c[i];
    }

    /// <summary>m[i] = value.</summary>
    public static void Fill(Index1D index, ArrayView<float> m, float value) => m[index] = value;

    /// <summary>m[r, c] += alpha * v[c].</summary>
    public static void AddRowVector(Index1D index, ArrayView<float> m, ArrayView<float> v, int cols, float alpha)
    {
        int i = index;
        m[i] = v[i % cols] * alpha + m[i];
    }

    /// <summary>d[c] = alpha * sum_r m[r, c] + beta * d[c], one thread per column (reads coalesce across threads).</summary>
    public static void ColumnSums(Index1D index, ArrayView<float> m, ArrayView<float> d, int rows, int cols, float alpha, float beta)
    {
        int c = index;
        float s = 0f;
        for (int r = 0; r < rows; r++) s += m[(long)r * cols + c];
        d[c] = beta == 0f ? alpha * s : alpha * s + beta * d[c];
    }

    /// <summary>m = sigmoid(m + biasScale * bias[c]) where hasBias != 0, else sigmoid(m).</summary>
    public static void Logistic(Index1D index, ArrayView<float> m, ArrayView<float> bias, int cols, float biasScale, int hasBias)
    {
        int i = index;
        float x = m[i];
        if (hasBias != 0) x = bias[i % cols] * biasScale + x;
        m[i] = 1f / (1f + MathF.Exp(-x));
    }

    /// <summary>d = 1 where Uniform(key, i) &lt; p, else 0: the very formula the CPU backend uses.</summary>
    public static void Bernoulli(Index1D index, ArrayView<float> p, ArrayView<float> d, ulong key)
    {
        int i = index;
        d[i] = RandomStream.Uniform(key, i) < p[i] ? 1f : 0f;
    }

    /// <summary>m += std * Normal(key, i).</summary>
    public static void Gaussian(Index1D index, ArrayView<float> m, float standardDeviation, ulong key)
    {
        int i = index;
        m[i] += standardDeviation * RandomStream.Normal(key, i);
    }

    /// <summary>y = alpha * x + beta * y with the same special cases as the CPU backend (0 ignores an operand).</summary>
    public static void Axpby(Index1D index, ArrayView<float> x, ArrayView<float> y, float alpha, float beta)
    {
        int i = index;
        if (alpha == 0f) y[i] = beta == 0f ? 0f : beta * y[i];
        else if (beta == 0f) y[i] = x[i] * alpha;
        else if (beta == 1f) y[i] = x[i] * alpha + y[i];
        else y[i] = x[i] * alpha + y[i] * beta;
    }

    /// <summary>d[r, c] = s[r, c] where mask[r] != 0.</summary>
    public static void CopyMaskedRows(Index1D index, ArrayView<float> s, ArrayView<float> mask, ArrayView<float> d, int cols)
    {
        int i = index;
        if (mask[i / cols] != 0f) d[i] = s[i];
    }

    /// <summary>
    /// Per-row running sums, one thread per row, in the same left-to-right float order as the
    /// CPU backend's inverse-CDF walk, so a binary search over them picks the same category.
    /// </summary>
    public static void RowPrefixSums(Index1D index, ArrayView<float> p, ArrayView<float> cdf, int cols)
    {
        long o = (long)(int)index * cols;
        float acc = 0f;
        for (int j = 0; j < cols; j++)
        {
            acc += p[o + j];
            cdf[o + j] = acc;
        }
    }

    /// <summary>
    /// One categorical draw per thread: draw t of row r uses Uniform(key, r * draws + t) scaled by the
    /// row total, and lands on the first category whose running sum exceeds it (the last if none).
    /// </summary>
    public static void MultinomialDraw(Index1D index, ArrayView<float> cdf, ArrayView<float> d, int cols, int draws, ulong key)
    {
        int i = index;
        int r = i / draws, t = i % draws;
        long o = (long)r * cols;
        float u = RandomStream.Uniform(key, (long)r * draws + t) * cdf[o + cols - 1];
        // The running sums are non-decreasing, so the first index with cdf > u is found by bisection.
        int lo = 0, hi = cols - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (cdf[o + mid] > u) hi = mid;
            else lo = mid + 1;
        }
        Atomic.Add(ref d[o + lo], 1f);
    }

    /// <summary>
    /// One group of <see cref="RowGroup"/> threads per row: d[r] = sum_c f(m[r, c]) with f chosen by op:
    /// 0 = identity, 1 = softplus, 2 = (m[r, c] - v[c])^2.
    /// </summary>
    public static void RowReduce(ArrayView<float> m, ArrayView<float> v, ArrayView<float> d, int cols, int op)
    {
        var shared = SharedMemory.Allocate1D<float>(RowGroup);
        int r = Grid.IdxX, t = Group.IdxX;
        long o = (long)r * cols;
        float s = 0f;
        for (int c = t; c < cols; c += RowGroup)
        {
            float x = m[o + c];
            if (op == 1) s += Softplus(x);
            else if (op == 2) { float e = x - v[c]; s += e * e; }
            else s += x;
        }
        float total = GroupSum(shared, t, s);
        if (t == 0) d[r] = total;
    }

    /// <summary>
    /// One group per row: m[r, :] = scale * softmax(m[r, :] + bias), subtracting the row maximum
    /// before exponentiating so large logits cannot overflow.
    /// </summary>
    public static void Softmax(ArrayView<float> m, ArrayView<float> bias, int cols, float scale, int hasBias)
    {
        var shared = SharedMemory.Allocate1D<float>(RowGroup);
        int r = Grid.IdxX, t = Group.IdxX;
        long o = (long)r * cols;

        float max = float.NegativeInfinity;
        for (int c = t; c < cols; c += RowGroup)
        {
            float x = hasBias != 0 ? m[o + c] + bias[c] : m[o + c];
            m[o + c] = x;
            max = MathF.Max(max, x);
        }
        max = GroupMax(shared, t, max);

        float sum = 0f;
        for (int c = t; c < cols; c += RowGroup) sum += MathF.Exp(m[o + c] - max);
        sum = GroupSum(shared, t, sum);

        float k = scale / sum;
        for (int c = t; c < cols; c += RowGroup) m[o + c] = MathF.Exp(m[o + c] - max) * k;
    }

    /// <summary>
    /// Whole-matrix reduction in double: each group writes one partial, the host adds the partials.
    /// op 0 = sum a, op 1 = sum (a - b)^2. Grid-stride loop, so any grid size covers any length.
    /// </summary>
    public static void DoubleReduce(ArrayView<float> a, ArrayView<float> b, ArrayView<double> partials, long length, int op)
    {
        var shared = SharedMemory.Allocate1D<double>(ReduceGroup);
        int t = Group.IdxX;
        long stride = (long)Grid.DimX * ReduceGroup;
        double s = 0.0;
        for (long i = (long)Grid.IdxX * ReduceGroup + t; i < length; i += stride)
        {
            if (op == 1) { double e = (double)a[i] - b[i]; s += e * e; }
            else s += a[i];
        }
        shared[t] = s;
        Group.Barrier();
        for (int half = ReduceGroup / 2; half > 0; half >>= 1)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        if (t == 0) partials[Grid.IdxX] = shared[0];
    }

    /// <summary>log(1 + exp(x)) without overflow: max(x, 0) + log(1 + exp(-|x|)).</summary>
    private static float Softplus(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    private static float GroupSum(ArrayView<float> shared, int t, float value)
    {
        shared[t] = value;
        Group.Barrier();
        for (int half = RowGroup / 2; half > 0; half >>= 1)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        float result = shared[0];
        Group.Barrier(); // the buffer is reused by the next reduction
        return result;
    }

    private static float GroupMax(ArrayView<float> shared, int t, float value)
    {
        shared[t] = value;
        Group.Barrier();
        for (int half = RowGroup / 2; half > 0; half >>= 1)
        {
            if (t < half) shared[t] = MathF.Max(shared[t], shared[t + half]);
            Group.Barrier();
        }
        float result = shared[0];
        Group.Barrier();
        return result;
    }
}
