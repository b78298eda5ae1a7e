using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Compute.Ilgpu;

namespace Affect.Search.Cli.Commands;

/// <summary>The --backend option: where training and inference run.</summary>
internal static class BackendChoice
{
    public const string Description = "compute backend: cpu (OpenBLAS, managed fallback), gpu (ILGPU on CUDA), auto (gpu when a CUDA device is present)";

    public static IComputeBackend Create(string? name) => (name ?? "auto") switch
    {
        "cpu" => CpuBackend.CreateBest(),
        "gpu" => IlgpuBackend.CreateBest(),
        "auto" => IlgpuBackend.IsCudaAvailable() ? IlgpuBackend.CreateBest() : CpuBackend.CreateBest(),
        var other => throw new ArgumentException($"unknown backend '{other}' (cpu, gpu or auto)"),
    };
}
