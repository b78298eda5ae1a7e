using System.Globalization;
using Affect.Search.Benchmarks;

// Benchmark driver (not a test). See eval/README.md.
//   dotnet run -c Release --project eval/Affect.Search.Benchmarks -- rbm [--json out.json] [--markdown out.md]
//       [--quick] [--peers] [--profile] [--seconds S] [--wait-quiet S] [--max-load F]
//   dotnet run -c Release --project eval/Affect.Search.Benchmarks -- deep [--json out.json] [--markdown out.md] [--quick] [--threads N]
//   dotnet run -c Release --project eval/Affect.Search.Benchmarks -- query [--filler N] [--queries N] [--json out.json] [--markdown out.md]
//   dotnet run -c Release --project eval/Affect.Search.Benchmarks -- ann [--runs 64:100000,64:1000000] [--json out.json] [--markdown out.md]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Cli.Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    switch (args[0])
    {
        case "rbm":
            var options = RbmBenchmarkOptions.Parse(args[1..]);
            return RbmBenchmark.Run(options);
        case "features":
            return FeaturesBenchmark.Run(args[1..]);
        case "deep":
            return DeepFeaturesBenchmark.Run(args[1..]);
        case "ann":
            return AnnBenchmark.Run(args[1..]);
        case "query":
            return QueryBenchmark.Run(args[1..]);
        case "embeddings":
            return AnnBenchmark.ExportEmbeddings(args[1..]);
        default:
            Console.Error.WriteLine($"unknown benchmark '{args[0]}'");
            Console.Error.WriteLine(Cli.Usage);
            return 2;
    }
}
catch (CliException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Cli.Usage);
    return 2;
}

namespace Affect.Search.Benchmarks
{
    internal sealed class CliException(string message) : Exception(message);

    internal static class Cli
    {
        public const string Usage = """
            Usage: dotnet run -c Release --project eval/Affect.Search.Benchmarks -- rbm [options]

            rbm   CD-1 training throughput of a Bernoulli-Bernoulli RBM (1024x512 batch 100, 4096x2048
                  batch 256) against the same-run OpenBLAS sgemm rate of the step's products, the managed
                  GEMM backend (1024x512) and, with --peers, scikit-learn and PyTorch.

            features [--items N] [--json PATH] [--markdown PATH]
                  feature extraction items/s on a 10 s 320x240 video with audio, ffmpeg's share, peak memory.

            deep [--json PATH] [--markdown PATH] [--quick] [--seconds S] [--threads N] [--no-peers] [--no-audio]
                 [--wait-quiet S] [--max-load F]
                  deep feature throughput through our ONNX Runtime sessions: ResNet-18 images/s (batch 1, 16), MiniLM
                  sentences/s (batch 1, 32, tokenisation included and not), audio-cnn windows/s, at 1 intra-op thread and
                  at N (default: all processors) and as N concurrent 1-thread callers (production), beside PyTorch CPU on
                  the same architectures (/usr/bin/python3 eval/peers/deep_peers.py, run after ours unless --no-peers).
                  --quick: 1 s per measurement (default 5; --seconds sets it). --max-load F drops ~0.5 s rounds in which
                  other processes used more than F of the processors (default 1: none); --wait-quiet S waits up to S s
                  for a quiet machine before each measurement (default 0).

            query [--filler N] [--queries N] [--preset NAME] [--json PATH] [--markdown PATH]
                  end-to-end text query latency (features, inference, centring, vector search, item lookup) with the
                  cpu preset's topology (or NAME's, e.g. wide, trained with the small corpus's schedule) on an index
                  of the generated corpus plus N filler items (default 100000).

            ann [--runs DIM:ITEMS,...] [--kinds flat,hnsw,flat-sq8,hnsw-sq8] [--hnsw-m M,...] [--ef-construction N]
                [--ef-search E,...] [--queries N] [--k K] [--clusters C] [--noise R] [--spectrum-power P]
                [--latency-budget S] [--centres PATH] [--json PATH] [--markdown PATH] [--merge PATH [--rewrite]] [--note TEXT] [--quick]
                  Faiss vector index build time, resident memory per item, single-query p50/p99, batch QPS and
                  recall@k against flat on synthetic clustered unit vectors (default runs 64:100000,64:1000000).
                  --centres PATH: real embeddings as the cluster centres (text, one embedding per line, values
                  separated by spaces; '#' lines skipped; every run's DIM must be their dimension), with noise of
                  their covariance whose radius is, unless --noise, their median nearest-neighbour distance.

            embeddings --index DIR [--view full] --out PATH
                  writes one view's stored (unit) embeddings of an index in the format --centres reads.

            Options of rbm:
              --json PATH       also write the results as JSON
              --markdown PATH   also write the markdown report (it is always printed to stdout)
              --quick           ~1 s per measurement instead of ~3 s (smoke runs; numbers are noisier)
              --seconds S       seconds per timed measurement (overrides --quick's and the default 3)
              --peers           run /usr/bin/python3 eval/peers/rbm_peers.py --json (sklearn, torch)
              --profile         time each phase of a CD-1 step (a scratch copy of the trainer's step)
              --wait-quiet S    before each measurement wait up to S s for other processes to use < 10 % of
                                the processors (default 60, 0 with --quick; 0 disables); the load seen
                                during each measurement is always recorded
              --max-load F      measure in ~0.5 s rounds and discard rounds in which other processes used
                                more than F of the processors (default 0.15; 1 with --quick)
            """;
    }
}
