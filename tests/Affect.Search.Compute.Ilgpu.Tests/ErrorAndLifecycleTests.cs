using ILGPU.Runtime.Cuda;

namespace Affect.Search.Compute.Ilgpu.Tests;

/// <summary>Shape errors read exactly like the CPU backend's; foreign matrices are refused.</summary>
[Collection("ilgpu")]
public class ErrorAndLifecycleTests(BackendPair pair)
{
    public static TheoryData<string> Operations() => new()
    {
        "Copy", "Gemm-inner", "Gemm-output", "SparseGemm", "SparseGemm-transposed", "SparseGemm-output",
        "AddRowVector", "ColumnSums", "RowSums", "Logistic", "SoftmaxRows", "SoftplusRowSums",
        "SquaredDistanceRows-vector", "SquaredDistanceRows-output", "SampleBernoulli", "SampleMultinomialRows",
        "Axpby", "CopyMaskedRows", "CopyMaskedRows-mask", "SumOfSquaredDifferences", "Upload", "Download",
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public void ShapeMismatch_SameMessageAsCpu(string operation)
    {
        var s = Data.Sparse(3, 4, 0.5, 60);
        var (cpu, gpu) = pair.BothThrow(be =>
        {
            var m = be.Allocate(3, 4);
            var m43 = be.Allocate(4, 3);
            var row5 = be.Allocate(1, 5);
            var col4 = be.Allocate(4, 1);
            var random = new RandomStream(1);
            switch (operation)
            {
                case "Copy": be.Copy(m, m43); break;
                case "Gemm-inner": be.Gemm(Transpose.No, Transpose.No, 1f, m, m, 0f, be.Allocate(3, 4)); break;
                case "Gemm-output": be.Gemm(Transpose.No, Transpose.No, 1f, m, m43, 0f, m); break;
                case "SparseGemm": be.SparseGemm(Transpose.No, 1f, be.Upload(s), m, 0f, m); break;
                case "SparseGemm-transposed": be.SparseGemm(Transpose.Yes, 1f, be.Upload(s), m43, 0f, m43); break;
                case "SparseGemm-output": be.SparseGemm(Transpose.No, 1f, be.Upload(s), m43, 0f, m43); break;
                case "AddRowVector": be.AddRowVector(m, row5, 1f); break;
                case "ColumnSums": be.ColumnSums(1f, m, 0f, row5); break;
                case "RowSums": be.RowSums(m, col4); break;
                case "Logistic": be.Logistic(m, row5, 1f); break;
                case "SoftmaxRows": be.SoftmaxRows(m, row5, 1f); break;
                case "SoftplusRowSums": be.SoftplusRowSums(m, col4); break;
                case "SquaredDistanceRows-vector": be.SquaredDistanceRows(m, row5, be.Allocate(3, 1)); break;
                case "SquaredDistanceRows-output": be.SquaredDistanceRows(m, be.Allocate(1, 4), col4); break;
                case "SampleBernoulli": be.SampleBernoulli(m, m43, random); break;
                case "SampleMultinomialRows": be.SampleMultinomialRows(m, 3, m43, random); break;
                case "Axpby": be.Axpby(1f, m, 1f, m43); break;
                case "CopyMaskedRows": be.CopyMaskedRows(m, be.Allocate(3, 1), be.Allocate(3, 5)); break;
                case "CopyMaskedRows-mask": be.CopyMaskedRows(m, col4, be.Allocate(3, 4)); break;
                case "SumOfSquaredDifferences": be.SumOfSquaredDifferences(m, m43); break;
                case "Upload": be.Upload(new float[11], m); break;
                case "Download": be.Download(m, new float[13]); break;
                default: throw new ArgumentOutOfRangeException(nameof(operation));
            }
        });
        Assert.IsType<ArgumentException>(cpu);
        Assert.IsType<ArgumentException>(gpu);
        Assert.Equal(cpu.Message, gpu.Message);
    }

    [Fact]
    public void ForeignMatrices_AreRefusedInBothDirections()
    {
        using var cpuMatrix = pair.Cpu.Allocate(2, 2);
        using var gpuMatrix = pair.Ilgpu.Allocate(2, 2);
        var e = Assert.Throws<ArgumentException>(() => pair.Ilgpu.Copy(cpuMatrix, gpuMatrix));
        Assert.Contains("cpu/managed", e.Message);
        Assert.Contains("ilgpu/cpu", e.Message);
        Assert.Throws<ArgumentException>(() => pair.Ilgpu.Download(cpuMatrix, new float[4]));
        Assert.Throws<ArgumentException>(() => pair.Ilgpu.Gemm(Transpose.No, Transpose.No, 1f, gpuMatrix, cpuMatrix, 0f, gpuMatrix));
        Assert.Throws<ArgumentException>(() => pair.Ilgpu.Logistic(gpuMatrix, pair.Cpu.Allocate(1, 2), 1f));
        Assert.Throws<ArgumentException>(() => pair.Cpu.Copy(gpuMatrix, cpuMatrix));

        var cpuSparse = pair.Cpu.Upload(Data.Sparse(2, 2, 1.0, 61));
        var se = Assert.Throws<ArgumentException>(() => pair.Ilgpu.SparseGemm(Transpose.No, 1f, cpuSparse, gpuMatrix, 0f, gpuMatrix));
        Assert.Contains("cpu/managed", se.Message);
    }

    [Fact]
    public void SecondInstance_IsForeign_AndDisposedBackendRefusesWork()
    {
        var other = IlgpuBackend.CreateCpuForTests();
        var m = other.Allocate(2, 3);
        Assert.Throws<ArgumentException>(() => pair.Ilgpu.Fill(m, 1f));
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.Fill(m, 1f));
        m.Dispose(); // after the accelerator: must not throw
        other.Dispose();
    }

    [Fact]
    public void Names()
    {
        Assert.Equal("ilgpu/cpu", pair.Ilgpu.Name);
        if (!IlgpuBackend.IsCudaAvailable())
        {
            var e = Assert.Throws<InvalidOperationException>(IlgpuBackend.CreateBest);
            Assert.Contains("CpuBackend", e.Message);
        }
    }

    [Fact]
    public void EveryKernel_CompilesToPtx_WithoutAGpu()
    {
        // The CPU accelerator runs MathF directly; the PTX backend needs ILGPU.Algorithms for exp/log/cos.
        // Compiling here catches kernels that would only fail on a CUDA machine.
        var ptx = IlgpuBackend.CompileForCuda(CudaArchitecture.SM_80, CudaInstructionSet.ISA_80);
        var expected = typeof(IlgpuKernels).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(m => m.Name).ToHashSet();
        Assert.Equal(15, expected.Count);
        Assert.Equal(expected, ptx.Keys.ToHashSet());
        Assert.All(ptx.Values, text => Assert.Contains(".entry", text));
        Assert.Contains("bar.sync", ptx[nameof(IlgpuKernels.Gemm)]);
    }
}
