using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Affect.Search.Compute.Ilgpu;

/// <summary>
/// <see cref="IComputeBackend"/> on ILGPU: every operation is an ILGPU kernel (compiled once, in the
/// constructor) queued on the accelerator's default stream, so operations run in call order; methods
/// that hand data to the host (<see cref="Download"/>, <see cref="Sum"/>, ...) synchronise first.
/// Random draws call <see cref="RandomStream.Uniform"/> and <see cref="RandomStream.Normal"/> inside
/// the kernels, so given the same stream this backend samples exactly what <c>CpuBackend</c> samples
/// (bit-equal for Bernoulli and multinomial draws, to float rounding of log/cos for Gaussian noise).
/// Calls are serialised by a lock, so the instance may be shared between threads.
/// Matrices are limited to int.MaxValue elements (8 GiB of floats) because kernels index with ints.
/// </summary>
public sealed class IlgpuBackend : IComputeBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly object _gate = new();
    private MemoryBuffer1D<float, Stride1D.Dense>? _scratch; // running sums for multinomial draws
    private MemoryBuffer1D<double, Stride1D.Dense>? _partials; // per-group partials of double reductions
    private bool _disposed;

    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float, float, int, int> _gemm;
    private readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float> _sparseRows;
    private readonly Action<Index1D, ArrayView<float>, float> _fill;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> _addRowVector;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float> _columnSums;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, float, int> _logistic;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ulong> _bernoulli;
    private readonly Action<Index1D, ArrayView<float>, float, ulong> _gaussian;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float, float> _axpby;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _copyMaskedRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _rowPrefixSums;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, ulong> _multinomialDraw;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _rowReduce;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, float, int> _softmax;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, long, int> _doubleReduce;

    private IlgpuBackend(Context context, Accelerator accelerator, string name)
    {
        _context = context;
        _accelerator = accelerator;
        _stream = accelerator.DefaultStream;
        Name = name;
        int needed = IlgpuKernels.GemmThreads * IlgpuKernels.GemmThreads;
        if (accelerator.MaxNumThreadsPerGroup < needed)
            throw new NotSupportedException($"{accelerator.Name} allows {accelerator.MaxNumThreadsPerGroup} threads per group; the GEMM kernel needs {needed}");

        _gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float, float, int, int>(IlgpuKernels.Gemm);
        _sparseRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float>(IlgpuKernels.SparseRows);
        _fill = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(IlgpuKernels.Fill);
        _addRowVector = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(IlgpuKernels.AddRowVector);
        _columnSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, float>(IlgpuKernels.ColumnSums);
        _logistic = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float, int>(IlgpuKernels.Logistic);
        _bernoulli = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ulong>(IlgpuKernels.Bernoulli);
        _gaussian = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ulong>(IlgpuKernels.Gaussian);
        _axpby = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(IlgpuKernels.Axpby);
        _copyMaskedRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.CopyMaskedRows);
        _rowPrefixSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.RowPrefixSums);
        _multinomialDraw = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, ulong>(IlgpuKernels.MultinomialDraw);
        _rowReduce = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(IlgpuKernels.RowReduce);
        _softmax = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, float, int>(IlgpuKernels.Softmax);
        _doubleReduce = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, long, int>(IlgpuKernels.DoubleReduce);
    }

    /// <summary>
    /// The production choice: the CUDA device with the most memory.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// No CUDA device (or no driver) is visible. This does not fall back to ILGPU's CPU accelerator on
    /// purpose: that one is about a thousand times slower than <c>CpuBackend</c> with OpenBLAS, so a
    /// caller without a GPU should pick <c>CpuBackend.CreateBest()</c>; check <see cref="IsCudaAvailable"/> first.
    /// </exception>
    public static IlgpuBackend CreateBest()
    {
        var context = Context.Create(builder => Configure(builder.Cuda()));
        try
        {
            CudaDevice? device = null;
            foreach (var candidate in context.GetCudaDevices())
                if (device is null || candidate.MemorySize > device.MemorySize) device = candidate;
            if (device is null)
                throw new InvalidOperationException("ILGPU found no CUDA device (no NVIDIA GPU or driver); use CpuBackend.CreateBest() instead");
            return new IlgpuBackend(context, device.CreateAccelerator(context), "ilgpu/cuda");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Compiles every kernel to PTX for the given architecture without needing a GPU: a cheap check
    /// (run by the tests) that the kernels use only what ILGPU's CUDA backend can translate.
    /// </summary>
    /// <returns>Kernel name to PTX text.</returns>
    public static IReadOnlyDictionary<string, string> CompileForCuda(CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        using var context = Context.Create(builder => Configure(builder));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);
        var result = new Dictionary<string, string>();
        foreach (var method in typeof(IlgpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            var parameters = method.GetParameters();
            bool autoGrouped = parameters.Length > 0 && parameters[0].ParameterType == typeof(Index1D);
            var entry = autoGrouped
                ? EntryPointDescription.FromImplicitlyGroupedKernel(method)
                : EntryPointDescription.FromExplicitlyGroupedKernel(method);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            result[method.Name] = compiled.PTXAssembly;
        }
        return result;
    }

    /// <summary>
    /// Context options shared by every accelerator. EnableAlgorithms matters: without it ILGPU's PTX
    /// backend has no implementation of MathF.Exp/Log/Cos (the CPU accelerator runs them regardless).
    /// </summary>
    private static Context.Builder Configure(Context.Builder builder) => builder.EnableAlgorithms().Optimize(OptimizationLevel.O2);

    /// <summary>Whether <see cref="CreateBest"/> would find a CUDA device.</summary>
    public static bool IsCudaAvailable()
    {
        using var context = Context.Create(builder => builder.Cuda());
        return context.GetCudaDevices().Count > 0;
    }

    /// <summary>
    /// ILGPU's CPU accelerator, which interprets the very kernels that run on CUDA (barriers and shared
    /// memory included). Roughly a thousand times slower than OpenBLAS: for tests on small matrices only.
    /// </summary>
    public static IlgpuBackend CreateCpuForTests()
    {
        // The default CPU device allows 16 threads per group; the GEMM kernel needs 16x16. Every simulated
        // thread is an OS thread and each barrier wakes them all, so one multiprocessor (groups in turn)
        // and small warps measured fastest on two cores; Sequential mode was hundreds of times slower.
        var device = new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 64, numMultiprocessors: 1);
        var context = Context.Create(builder => Configure(builder.CPU(device)));
        try
        {
            return new IlgpuBackend(context, device.CreateAccelerator(context), "ilgpu/cpu");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The ILGPU accelerator (for diagnostics: device name, memory).</summary>
    public Accelerator Accelerator => _accelerator;

    /// <inheritdoc />
    public FloatMatrix Allocate(int rows, int cols)
    {
        if ((long)rows * cols > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(rows), $"a {rows}x{cols} matrix has more than int.MaxValue elements, which the ILGPU kernels cannot index");
        lock (_gate)
        {
            Enter();
            var m = new IlgpuMatrix(this, _accelerator, rows, cols);
            m.Buffer.View.MemSetToZero(_stream);
            return m;
        }
    }

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, FloatMatrix destination)
    {
        var d = Own(destination);
        if (source.Length != d.Length) throw new ArgumentException($"upload of {source.Length} values into a {d.Rows}x{d.Cols} matrix");
        if (source.Length == 0) return;
        lock (_gate)
        {
            Enter();
            d.View.CopyFromCPU(_stream, source); // synchronises, so the caller may reuse the span at once
        }
    }

    /// <inheritdoc />
    public void Download(FloatMatrix source, Span<float> destination)
    {
        var s = Own(source);
        if (destination.Length != s.Length) throw new ArgumentException($"download of a {s.Rows}x{s.Cols} matrix into {destination.Length} values");
        if (destination.Length == 0) return;
        lock (_gate)
        {
            Enter();
            s.View.CopyToCPU(_stream, destination); // waits for every queued kernel that writes the matrix
        }
    }

    /// <inheritdoc />
    public SparseFloatMatrix Upload(CsrMatrix source)
    {
        lock (_gate)
        {
            Enter();
            return new IlgpuSparseMatrix(this, _accelerator, source);
        }
    }

    /// <inheritdoc />
    public void Copy(FloatMatrix source, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, source.Rows, source.Cols, "Copy");
        var (s, d) = (Own(source), Own(destination));
        if (s.Length == 0 || ReferenceEquals(s, d)) return;
        lock (_gate)
        {
            Enter();
            s.View.CopyTo(_stream, d.View);
        }
    }

    /// <inheritdoc />
    public void Fill(FloatMatrix matrix, float value)
    {
        var m = Own(matrix);
        if (m.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _fill((int)m.Length, m.View, value);
        }
    }

    /// <inheritdoc />
    public void Gemm(Transpose transposeA, Transpose transposeB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c)
    {
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        var (m, n, k) = ComputeExtensions.GemmShape(transposeA, transposeB, a, b, c);
        var (ad, bd, cd) = (Own(a), Own(b), Own(c));
        if (m == 0 || n == 0) return;
        if (k == 0) { Axpby(0f, c, beta, c); return; }
        lock (_gate)
        {
            Enter();
            var grid = new Index2D(Blocks(n, IlgpuKernels.GemmTile), Blocks(m, IlgpuKernels.GemmTile));
            var group = new Index2D(IlgpuKernels.GemmThreads, IlgpuKernels.GemmThreads);
            _gemm(new KernelConfig(grid, group), ad.View, bd.View, cd.View, m, n, k, alpha, beta, ta ? 1 : 0, tb ? 1 : 0);
        }
    }

    /// <inheritdoc />
    public void SparseGemm(Transpose transposeS, float alpha, SparseFloatMatrix s, FloatMatrix b, float beta, FloatMatrix c)
    {
        var sm = OwnSparse(s);
        var (bd, cd) = (Own(b), Own(c));
        int n = b.Cols;
        DeviceCsr csr;
        int outRows;
        if (transposeS == Transpose.No)
        {
            if (b.Rows != s.Cols) throw new ArgumentException($"SparseGemm: {s.Rows}x{s.Cols} times {b.Rows}x{n}");
            ComputeExtensions.RequireShape(c, s.Rows, n, "SparseGemm output");
            (csr, outRows) = (sm.Forward, s.Rows);
        }
        else
        {
            if (b.Rows != s.Rows) throw new ArgumentException($"SparseGemm: ({s.Rows}x{s.Cols})' times {b.Rows}x{n}");
            ComputeExtensions.RequireShape(c, s.Cols, n, "SparseGemm output");
            (csr, outRows) = (sm.Transposed, s.Cols);
        }
        if (cd.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _sparseRows((int)cd.Length, csr.RowStarts.View, csr.Columns.View, csr.Values.View, bd.View, cd.View, n, alpha, beta);
        }
    }

    /// <inheritdoc />
    public void AddRowVector(FloatMatrix matrix, FloatMatrix rowVector, float alpha)
    {
        ComputeExtensions.RequireShape(rowVector, 1, matrix.Cols, "AddRowVector bias");
        var (m, v) = (Own(matrix), Own(rowVector));
        if (m.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _addRowVector((int)m.Length, m.View, v.View, m.Cols, alpha);
        }
    }

    /// <inheritdoc />
    public void ColumnSums(float alpha, FloatMatrix matrix, float beta, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, 1, matrix.Cols, "ColumnSums output");
        var (m, d) = (Own(matrix), Own(destination));
        if (m.Cols == 0) return;
        lock (_gate)
        {
            Enter();
            _columnSums(m.Cols, m.View, d.View, m.Rows, m.Cols, alpha, beta);
        }
    }

    /// <inheritdoc />
    public void RowSums(FloatMatrix matrix, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, matrix.Rows, 1, "RowSums output");
        RowReduce(Own(matrix), null, Own(destination), 0);
    }

    /// <inheritdoc />
    public void Logistic(FloatMatrix matrix, FloatMatrix? bias, float biasScale)
    {
        var m = Own(matrix);
        var b = bias is null ? null : Own(bias);
        if (bias is not null) ComputeExtensions.RequireShape(bias, 1, m.Cols, "Logistic bias");
        if (m.Length == 0) return;
        lock (_gate)
        {
            Enter();
            // Without a bias the kernel never reads its bias view; the matrix itself stands in for it.
            _logistic((int)m.Length, m.View, (b ?? m).View, m.Cols, biasScale, b is null ? 0 : 1);
        }
    }

    /// <inheritdoc />
    public void SoftmaxRows(FloatMatrix matrix, FloatMatrix? bias, float scale)
    {
        var m = Own(matrix);
        var b = bias is null ? null : Own(bias);
        if (bias is not null) ComputeExtensions.RequireShape(bias, 1, m.Cols, "SoftmaxRows bias");
        if (m.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _softmax(new KernelConfig(m.Rows, IlgpuKernels.RowGroup), m.View, (b ?? m).View, m.Cols, scale, b is null ? 0 : 1);
        }
    }

    /// <inheritdoc />
    public void SoftplusRowSums(FloatMatrix matrix, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, matrix.Rows, 1, "SoftplusRowSums output");
        RowReduce(Own(matrix), null, Own(destination), 1);
    }

    /// <inheritdoc />
    public void SquaredDistanceRows(FloatMatrix matrix, FloatMatrix rowVector, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(rowVector, 1, matrix.Cols, "SquaredDistanceRows vector");
        ComputeExtensions.RequireShape(destination, matrix.Rows, 1, "SquaredDistanceRows output");
        RowReduce(Own(matrix), Own(rowVector), Own(destination), 2);
    }

    /// <inheritdoc />
    public void SampleBernoulli(FloatMatrix probabilities, FloatMatrix destination, RandomStream random)
    {
        ComputeExtensions.RequireShape(destination, probabilities.Rows, probabilities.Cols, "SampleBernoulli output");
        var (p, d) = (Own(probabilities), Own(destination));
        ulong key = random.NextKey(); // taken even for empty matrices, as the CPU backend does, to keep streams aligned
        if (p.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _bernoulli((int)p.Length, p.View, d.View, key);
        }
    }

    /// <inheritdoc />
    public void AddGaussianNoise(FloatMatrix matrix, float standardDeviation, RandomStream random)
    {
        var m = Own(matrix);
        ulong key = random.NextKey();
        if (m.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _gaussian((int)m.Length, m.View, standardDeviation, key);
        }
    }

    /// <inheritdoc />
    public void SampleMultinomialRows(FloatMatrix probabilities, int draws, FloatMatrix destination, RandomStream random)
    {
        ComputeExtensions.RequireShape(destination, probabilities.Rows, probabilities.Cols, "SampleMultinomialRows output");
        var (p, d) = (Own(probabilities), Own(destination));
        ulong key = random.NextKey();
        if (p.Length == 0) return;
        if ((long)p.Rows * Math.Max(draws, 0) > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(draws), $"{p.Rows} rows x {draws} draws exceed int.MaxValue draws per call");
        lock (_gate)
        {
            Enter();
            d.View.MemSetToZero(_stream);
            if (draws <= 0) return;
            var cdf = Scratch(p.Length);
            _rowPrefixSums(p.Rows, p.View, cdf, p.Cols);
            _multinomialDraw(p.Rows * draws, cdf, d.View, p.Cols, draws, key);
        }
    }

    /// <inheritdoc />
    public void Axpby(float alpha, FloatMatrix x, float beta, FloatMatrix y)
    {
        ComputeExtensions.RequireShape(y, x.Rows, x.Cols, "Axpby");
        var (xd, yd) = (Own(x), Own(y));
        if (xd.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _axpby((int)xd.Length, xd.View, yd.View, alpha, beta);
        }
    }

    /// <inheritdoc />
    public void CopyMaskedRows(FloatMatrix source, FloatMatrix rowMask, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, source.Rows, source.Cols, "CopyMaskedRows");
        ComputeExtensions.RequireShape(rowMask, source.Rows, 1, "CopyMaskedRows mask");
        var (s, mask, d) = (Own(source), Own(rowMask), Own(destination));
        if (s.Length == 0) return;
        lock (_gate)
        {
            Enter();
            _copyMaskedRows((int)s.Length, s.View, mask.View, d.View, s.Cols);
        }
    }

    /// <inheritdoc />
    public double SumOfSquaredDifferences(FloatMatrix a, FloatMatrix b)
    {
        ComputeExtensions.RequireShape(b, a.Rows, a.Cols, "SumOfSquaredDifferences");
        return DoubleReduce(Own(a), Own(b), 1);
    }

    /// <inheritdoc />
    public double Sum(FloatMatrix matrix)
    {
        var m = Own(matrix);
        return DoubleReduce(m, m, 0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _scratch?.Dispose();
            _partials?.Dispose();
            _accelerator.Dispose(); // also frees any matrices still alive; their own Dispose is then a no-op
            _context.Dispose();
        }
    }

    private void RowReduce(IlgpuMatrix m, IlgpuMatrix? v, IlgpuMatrix d, int op)
    {
        if (m.Rows == 0) return;
        lock (_gate)
        {
            Enter();
            if (m.Cols == 0) { _fill(m.Rows, d.View, 0f); return; }
            _rowReduce(new KernelConfig(m.Rows, IlgpuKernels.RowGroup), m.View, (v ?? m).View, d.View, m.Cols, op);
        }
    }

    private double DoubleReduce(IlgpuMatrix a, IlgpuMatrix b, int op)
    {
        if (a.Length == 0) return 0.0;
        lock (_gate)
        {
            Enter();
            // Enough groups to fill a large GPU; each loops over its share, then the host adds the partials.
            int groups = (int)Math.Min(1024L, (a.Length + IlgpuKernels.ReduceGroup - 1) / IlgpuKernels.ReduceGroup);
            if (_partials is null)
            {
                _partials = _accelerator.Allocate1D<double>(1024);
            }
            var partials = _partials.View.SubView(0, groups);
            _doubleReduce(new KernelConfig(groups, IlgpuKernels.ReduceGroup), a.View, b.View, partials, a.Length, op);
            var host = new double[groups];
            partials.CopyToCPU(_stream, host);
            double sum = 0.0;
            foreach (var x in host) sum += x;
            return sum;
        }
    }

    /// <summary>A device scratch area of at least <paramref name="length"/> floats, grown on demand (caller holds the lock).</summary>
    private ArrayView1D<float, Stride1D.Dense> Scratch(long length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            _stream.Synchronize(); // no queued kernel may still read the buffer being freed
            _scratch?.Dispose();
            _scratch = _accelerator.Allocate1D<float>(Math.Max(length, 1L));
        }
        return _scratch.View.SubView(0, length);
    }

    /// <summary>Makes the accelerator current on this thread (CUDA contexts are per thread); caller holds the lock.</summary>
    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _accelerator.Bind();
    }

    private static int Blocks(int size, int block) => (size + block - 1) / block;

    private IlgpuMatrix Own(FloatMatrix m) => m as IlgpuMatrix is { } x && ReferenceEquals(x.Backend, this)
        ? x
        : throw new ArgumentException($"{m} belongs to backend {m.Backend.Name}, not to this {Name} instance");

    private IlgpuSparseMatrix OwnSparse(SparseFloatMatrix s) => s as IlgpuSparseMatrix is { } x && ReferenceEquals(x.Backend, this)
        ? x
        : throw new ArgumentException($"sparse {s.Rows}x{s.Cols} matrix belongs to backend {s.Backend.Name}, not to this {Name} instance");
}
