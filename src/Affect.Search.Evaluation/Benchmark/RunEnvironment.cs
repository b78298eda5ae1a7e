using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Affect.Search.Compute.Cpu;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>
/// The facts of the machine that can change a benchmark's figures for the same code, corpus and seeds, recorded
/// with the results so that two reports can be compared: the OpenBLAS kernels and thread count (sgemm's summation
/// order), the ffmpeg that decodes the media (its decoders and scalers make the frames and samples), the .NET
/// runtime and its widest hardware vector. Stable on one machine, so reports of two runs there stay byte-identical.
/// </summary>
public static class RunEnvironment
{
    /// <summary>Name and value of each fact, in a fixed order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Describe(string ffmpeg = "ffmpeg") =>
    [
        new("OpenBLAS", OpenBlas.Description ?? "not loaded (managed GEMM)"),
        new("ffmpeg", FirstLine(ffmpeg, "-version") ?? "not found"),
        new(".NET", $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}"),
        new("widest hardware vector", Vector512.IsHardwareAccelerated ? "512 bits" : Vector256.IsHardwareAccelerated ? "256 bits" : Vector128.IsHardwareAccelerated ? "128 bits" : "none"),
    ];

    private static string? FirstLine(string program, string argument)
    {
        try
        {
            var start = new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(start);
            if (p is null) return null;
            _ = p.StandardError.ReadToEndAsync();
            string? line = p.StandardOutput.ReadLine();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(TimeSpan.FromSeconds(10))) { p.Kill(); return null; }
            // "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers": the copyright adds nothing.
            int copyright = line?.IndexOf(" Copyright", StringComparison.Ordinal) ?? -1;
            return copyright > 0 ? line![..copyright] : line;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
