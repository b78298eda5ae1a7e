using System.Runtime.InteropServices;
using Affect.Search.Compute.Cpu;

namespace Affect.Search.Benchmarks;

/// <summary>What the numbers were measured on. Threading variables are recorded, never changed.</summary>
public sealed record BenchEnvironment(
    string DateUtc,
    string? OpenblasCoretype,
    string? OpenblasNumThreads,
    string? OmpNumThreads,
    int ProcessorCount,
    string CpuModel,
    string Os,
    string Runtime,
    string? OpenblasConfig,
    string? OpenblasCorename,
    int? OpenblasThreads,
    string Machine)
{
    public static BenchEnvironment Capture() => new(
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"),
        Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS"),
        Environment.GetEnvironmentVariable("OMP_NUM_THREADS"),
        Environment.ProcessorCount,
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        OpenBlasInfo.Config(),
        OpenBlasInfo.Corename(),
        OpenBlasInfo.Threads(),
        Environment.MachineName);

    private static string ReadCpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>Read-only queries of the OpenBLAS the backend loaded (same shared object, so same state).</summary>
    private static unsafe class OpenBlasInfo
    {
        private static IntPtr Handle()
        {
            if (!OpenBlas.IsAvailable) return IntPtr.Zero;
            foreach (var name in new[] { "libopenblas.so.0", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0" })
                if (NativeLibrary.TryLoad(name, out var h)) return h;
            return IntPtr.Zero;
        }

        private static string? Text(string export)
        {
            var h = Handle();
            if (h == IntPtr.Zero || !NativeLibrary.TryGetExport(h, export, out var f)) return null;
            var p = ((delegate* unmanaged<IntPtr>)f)();
            return p == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(p)?.Trim();
        }

        public static string? Config() => Text("openblas_get_config");
        public static string? Corename() => Text("openblas_get_corename");

        public static int? Threads()
        {
            var h = Handle();
            if (h == IntPtr.Zero || !NativeLibrary.TryGetExport(h, "openblas_get_num_threads", out var f)) return null;
            return ((delegate* unmanaged<int>)f)();
        }
    }
}
