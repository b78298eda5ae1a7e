using System.Reflection;
using System.Runtime.InteropServices;

namespace Affect.Search.Compute.Cpu;

/// <summary>
/// P/Invoke into Debian's OpenBLAS (libopenblas0-pthread). Thread count and core type are left
/// exactly as the environment sets them (OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE).
/// </summary>
public static unsafe class OpenBlas
{
    private const string LibraryName = "affect-openblas";
    private static readonly string[] Candidates =
    {
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
    };

    private static readonly Lazy<string?> LoadError = new(TryLoad);
    private static IntPtr _handle;

    static OpenBlas()
    {
        NativeLibrary.SetDllImportResolver(typeof(OpenBlas).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        => name == LibraryName && LoadError.Value is null ? _handle : IntPtr.Zero;

    private static string? TryLoad()
    {
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out _handle) && NativeLibrary.TryGetExport(_handle, "cblas_sgemm", out _))
                return null;
        }
        return "OpenBLAS was not found (looked for libopenblas.so.0 exporting cblas_sgemm). " +
               "Install it with `sudo tools/setup.sh` (Debian package libopenblas0-pthread), " +
               "or use the managed fallback backend (CpuBackend with useOpenBlas: false).";
    }

    /// <summary>True when the library loaded.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>Throws a clear <see cref="DllNotFoundException"/> naming the library and the setup command.</summary>
    public static void EnsureAvailable()
    {
        if (LoadError.Value is { } message) throw new DllNotFoundException(message);
    }

    /// <summary>
    /// What decides OpenBLAS's rounding, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64; core Haswell;
    /// 2 threads": the kernels it picked for this CPU (or OPENBLAS_CORETYPE) and its thread count (OPENBLAS_NUM_THREADS,
    /// else the cores), both of which change sgemm's summation order and so the last bits of a trained model.
    /// Null when the library is missing.
    /// </summary>
    public static string? Description
    {
        get
        {
            if (!IsAvailable) return null;
            var parts = new List<string>();
            if (NativeLibrary.TryGetExport(_handle, "openblas_get_config", out var config))
                parts.Add(Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)config)())?.Trim() ?? "OpenBLAS");
            if (NativeLibrary.TryGetExport(_handle, "openblas_get_corename", out var core))
                parts.Add($"core {Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)core)())?.Trim()}");
            if (NativeLibrary.TryGetExport(_handle, "openblas_get_num_threads", out var threads))
                parts.Add($"{((delegate* unmanaged<int>)threads)()} threads");
            return parts.Count > 0 ? string.Join("; ", parts) : "OpenBLAS (no version exports)";
        }
    }

    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    [DllImport(LibraryName, EntryPoint = "cblas_sgemm")]
    private static extern void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    /// <summary>Row-major C (m x n) = alpha * op(A) * op(B) + beta * C with op(A) m x k, op(B) k x n.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        EnsureAvailable();
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            cblas_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
