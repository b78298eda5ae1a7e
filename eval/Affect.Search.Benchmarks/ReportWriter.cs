using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Affect.Search.Benchmarks;

/// <summary>Markdown and JSON renderings of an <see cref="RbmReport"/>.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Json(RbmReport report) => JsonSerializer.Serialize(report, JsonOptions) + "\n";

    private static string N0(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "n/a";
    private static string F1(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("0.0", CultureInfo.InvariantCulture) : "n/a";
    private static string F2(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
    private static string F3(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
    private static string Pct(double? x) => x is { } v && double.IsFinite(v) ? (100 * v).ToString("0", CultureInfo.InvariantCulture) + " %" : "n/a";
    private static IEnumerable<System.Text.Json.Nodes.JsonNode?> PeerShapes(System.Text.Json.Nodes.JsonNode peers) =>
        new[] { "sklearn", "torch" }.SelectMany(p => peers[p]?["shapes"] as System.Text.Json.Nodes.JsonArray ?? []);
    private static string X(double? x) => x is { } v && double.IsFinite(v) ? F2(v) + "x" : "n/a";
    private static string Mark(bool? ok) => ok switch { true => "met", false => "**missed**", null => "not measured" };

    public static string Markdown(RbmReport r)
    {
        var e = r.Environment;
        var sb = new StringBuilder();
        sb.AppendLine("# RBM CD-1 training throughput");
        sb.AppendLine();
        sb.AppendLine($"Measured {e.DateUtc} on {e.CpuModel}, {e.ProcessorCount} processors, {e.Os}, {e.Runtime}. " +
                      $"OPENBLAS_CORETYPE={e.OpenblasCoretype ?? "(unset)"}, OPENBLAS_NUM_THREADS={e.OpenblasNumThreads ?? "(unset)"} " +
                      $"(OpenBLAS reports {e.OpenblasThreads?.ToString(CultureInfo.InvariantCulture) ?? "?"} threads, core {e.OpenblasCorename ?? "?"}; {e.OpenblasConfig ?? "config unknown"}).");
        sb.AppendLine();
        sb.AppendLine($"Bernoulli-Bernoulli RBM, `ContrastiveDivergenceTrainer.Step` (CD-1, learning rate {r.Settings.LearningRate}, momentum {r.Settings.Momentum}, " +
                      $"weight decay {r.Settings.WeightDecay}) on {r.Settings.DistinctBatches} pre-uploaded batches of random binary data (P(1) = {r.Settings.DataOneProbability}), " +
                      $"{r.Settings.WarmupSteps} warm-up steps, then >= {r.Settings.SecondsPerMeasurement:0.#} s timed. GFLOP/s counts {r.Settings.FlopCount}. " +
                      "sgemm is `CpuBackend.Gemm` (OpenBLAS) on the step's five product shapes; its figure is the step mix " +
                      "(5 products' flops / the 5 products' time). " + r.Settings.Method);
        sb.AppendLine();
        sb.AppendLine("| shape | batch | ours samples/s | ours GFLOP/s | same-run sgemm GFLOP/s | ratio | sklearn samples/s | torch samples/s | ours/sklearn | ours/torch |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var x in r.Results)
            sb.AppendLine($"| {x.Visible}x{x.Hidden} | {x.Batch} | {N0(x.Ours.SamplesPerSecond)} | {F1(x.Ours.Gflops)} | {F1(x.Sgemm.StepMixGflops)} | {F2(x.RatioToSgemm)} | " +
                          $"{N0(x.SklearnSamplesPerSecond)} | {N0(x.TorchSamplesPerSecond)} | {F2(x.OursOverSklearn)} | {F2(x.OursOverTorch)} |");
        sb.AppendLine();
        if (r.PeersNote is not null) { sb.AppendLine($"Peers: {r.PeersNote}"); sb.AppendLine(); }
        sb.AppendLine($"The machine is shared: other processes' share of all processors during the rounds used (from /proc/stat, minus this process; " +
                      (r.Settings.MaxForeignLoad < 1 ? $"rounds above {Pct(r.Settings.MaxForeignLoad)} discarded): " : "no rounds discarded): ") +
                      string.Join(", ", r.Results.Select(x => $"{x.Visible}x{x.Hidden} {Pct(x.Load.ForeignCpu)} ({x.Load.RoundsUsed} rounds used, {x.Load.RoundsDiscarded} discarded{(x.Load.Noisy ? ", **noisy**" : "")})")) +
                      (r.Peers is { } pl && PeerShapes(pl).Any() ? ", peers " + string.Join(", ", new[] { "sklearn", "torch" }.SelectMany(peer =>
                          (pl[peer]?["shapes"] as System.Text.Json.Nodes.JsonArray ?? []).Select(s => $"{peer} {s?["visible"]}x{s?["hidden"]} {Pct((double?)s?["foreign_cpu"])}{((bool?)s?["noisy"] == true ? " (**noisy**)" : "")}"))) : "") +
                      ". Median over pairs of the per-pair ratio (robust to load swings): " +
                      string.Join(", ", r.Results.Select(x => $"{x.Visible}x{x.Hidden} {F2(x.MedianPairRatio)}")) + ".");
        sb.AppendLine();

        if (r.Goal is { } g)
        {
            sb.AppendLine($"## Goal at {g.Shape}: {g.Met switch { true => "met", false => "**not met**", null => "incomplete (peers not measured)" }}");
            sb.AppendLine();
            sb.AppendLine($"- >= 0.8 of same-run sgemm: {F2(g.RatioToSgemm)} -> {Mark(g.SgemmRatioMet)}");
            sb.AppendLine($"- >= torch (CD-1, 2 threads): {X(g.OursOverTorch)} -> {Mark(g.TorchMet)}");
            sb.AppendLine($"- >= 2x sklearn BernoulliRBM: {X(g.OursOverSklearn)} -> {Mark(g.SklearnMet)}");
            sb.AppendLine();
        }

        sb.AppendLine("## sgemm by product shape (same run)");
        sb.AppendLine();
        sb.AppendLine("| shape | product | op | m x n x k | beta | per step | GFLOP/s (mean) | GFLOP/s (median) |");
        sb.AppendLine("|---|---|---|---|---:|---:|---:|---:|");
        foreach (var x in r.Results)
            foreach (var s in x.Sgemm.Shapes)
                sb.AppendLine($"| {x.Visible}x{x.Hidden} | `{s.Product}` | {s.Op} | {s.M} x {s.N} x {s.K} | {s.Beta} | {s.TimesPerStep} | {F1(s.Gflops)} | {F1(s.MedianGflops)} |");
        sb.AppendLine();
        sb.AppendLine("Step mix = 5 products' flops / the time of the 5 products back to back (= 2 t(v W) + 2 t(v' h) + t(h W')); median-sequence step mix: " +
                      string.Join(", ", r.Results.Select(x => $"{x.Visible}x{x.Hidden} {F1(x.Sgemm.MedianStepMixGflops)}")) + " GFLOP/s; arithmetic mean of the three shapes for reference: " +
                      string.Join(", ", r.Results.Select(x => $"{x.Visible}x{x.Hidden} {F1(x.Sgemm.ArithmeticMeanGflops)}")) + " GFLOP/s.");
        sb.AppendLine();

        sb.AppendLine("## Details");
        sb.AppendLine();
        sb.AppendLine("| shape | steps timed | seconds | samples/s (mean) | samples/s (median step) | recon. error/sample first -> last | weights finite |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var x in r.Results)
            sb.AppendLine($"| {x.Visible}x{x.Hidden} | {x.Ours.Steps} | {F2(x.Ours.Seconds)} | {N0(x.Ours.SamplesPerSecond)} | {N0(x.Ours.MedianSamplesPerSecond)} | " +
                          $"{F1(x.Ours.ReconstructionErrorPerSampleFirst)} -> {F1(x.Ours.ReconstructionErrorPerSampleLast)} | {x.Ours.WeightsFinite} |");
        sb.AppendLine();

        foreach (var x in r.Results.Where(x => x.Managed is not null))
        {
            var m = x.Managed!;
            sb.AppendLine($"Managed-GEMM backend (`new CpuBackend(useOpenBlas: false)`), {x.Visible}x{x.Hidden} batch {x.Batch}: " +
                          $"{N0(m.Cd.SamplesPerSecond)} samples/s vs {N0(m.OpenBlasCd.SamplesPerSecond)} for the OpenBLAS backend, steps interleaved: **{F3(m.SamplesPerSecondRatio)}x** " +
                          $"(managed sgemm step mix {F1(m.SgemmStepMixGflops)} GFLOP/s vs {F1(m.OpenBlasSgemmStepMixGflops)} = {F3(m.SgemmRatio)}x; other load {Pct(m.Load.ForeignCpu)}{(m.Load.Noisy ? ", **noisy**" : "")}).");
            sb.AppendLine();
        }

        if (r.Peers is { } p)
        {
            string Describe(string peer)
            {
                var node = p[peer];
                if (node is null) return $"{peer}: absent";
                if (node["skipped"] is { } s) return $"{peer}: skipped ({s})";
                return $"{peer} {node["version"]}: {node["algorithm"]}";
            }
            sb.AppendLine($"Peers (`/usr/bin/python3 eval/peers/rbm_peers.py --json`, run after ours, one at a time): {Describe("sklearn")}, float64 input (its parameters are float64 whatever the input); {Describe("torch")}, {p["torch"]?["num_threads"]} threads. NumPy/torch BLAS: " +
                          (p["blas"] is System.Text.Json.Nodes.JsonArray blas ? string.Join("; ", blas.Select(b => $"{b?["internal_api"]} {b?["version"]} {b?["architecture"]} {b?["num_threads"]} threads")) : "unknown") + ".");
            sb.AppendLine();
        }

        foreach (var x in r.Results.Where(x => x.Profile is not null))
        {
            var pr = x.Profile!;
            sb.AppendLine($"## Step profile {x.Visible}x{x.Hidden} batch {x.Batch}");
            sb.AppendLine();
            sb.AppendLine($"Scratch copy of the trainer's step (same backend calls; max |W| difference from the trainer after 3 steps: {pr.MaxAbsWeightDifference:G3}), " +
                          $"{pr.Steps} steps (other load {Pct(pr.Load.ForeignCpu)}{(pr.Load.Noisy ? ", **noisy**" : "")}), {F2(pr.MeanStepMilliseconds)} ms per step: GEMMs {F2(pr.GemmMilliseconds)} ms ({F1(100 * pr.GemmMilliseconds / pr.MeanStepMilliseconds)} %), " +
                          $"everything else {F2(pr.NonGemmMilliseconds)} ms ({F1(100 * pr.NonGemmMilliseconds / pr.MeanStepMilliseconds)} %).");
            sb.AppendLine();
            sb.AppendLine("| phase | ms/step | % of step | GFLOP/s | GB/s (min. traffic) |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var ph in pr.Phases)
                sb.AppendLine($"| {ph.Phase} | {F3(ph.MeanMilliseconds)} | {F1(ph.Percent)} | {F1(ph.Gflops)} | {F1(ph.GigabytesPerSecond)} |");
            sb.AppendLine();
            if (pr.Experiments.Count > 0)
            {
                sb.AppendLine("Alternatives measured alone (V x H parameter update):");
                sb.AppendLine();
                sb.AppendLine("| variant | ms | GB/s (min. traffic) |");
                sb.AppendLine("|---|---:|---:|");
                foreach (var ph in pr.Experiments)
                    sb.AppendLine($"| {ph.Phase} | {F3(ph.MeanMilliseconds)} | {F1(ph.GigabytesPerSecond)} |");
                sb.AppendLine();
            }
        }
        return sb.ToString();
    }
}
