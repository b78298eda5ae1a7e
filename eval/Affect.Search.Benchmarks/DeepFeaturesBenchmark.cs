using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Media;
using Microsoft.ML.OnnxRuntime;

namespace Affect.Search.Benchmarks;

/// <summary>Command-line options of the <c>deep</c> benchmark.</summary>
public sealed record DeepBenchmarkOptions(
    string? JsonPath, string? MarkdownPath, bool Quick, double SecondsPerMeasurement, int Threads, bool Peers, bool Audio,
    double WaitQuietSeconds, double MaxForeignLoad)
{
    public static DeepBenchmarkOptions Parse(string[] args)
    {
        string? json = null, markdown = null;
        bool quick = false, peers = true, audio = true;
        double? seconds = null, waitQuiet = null, maxLoad = null;
        int threads = Environment.ProcessorCount;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new CliException($"{args[i]} needs a value");
            double Number(string name, Func<double, bool> valid, string what)
            {
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !valid(v))
                    throw new CliException($"{name} needs {what}, got '{text}'");
                return v;
            }
            switch (args[i])
            {
                case "--json": json = Value(); break;
                case "--markdown": markdown = Value(); break;
                case "--quick": quick = true; break;
                case "--no-peers": peers = false; break;
                case "--no-audio": audio = false; break;
                case "--seconds": seconds = Number("--seconds", s => s > 0, "a positive number"); break;
                case "--threads": threads = (int)Number("--threads", t => t >= 1 && t == Math.Floor(t), "a whole number >= 1"); break;
                case "--wait-quiet": waitQuiet = Number("--wait-quiet", w => w >= 0, "a number of seconds >= 0"); break;
                case "--max-load": maxLoad = Number("--max-load", l => l > 0 && l <= 1, "a fraction in (0, 1]"); break;
                default: throw new CliException($"deep: unknown option '{args[i]}'");
            }
        }
        return new DeepBenchmarkOptions(json, markdown, quick, seconds ?? (quick ? 1.0 : 5.0), threads, peers, audio, waitQuiet ?? 0, maxLoad ?? 1.0);
    }

    /// <summary>How long one measurement may run while waiting for enough quiet rounds.</summary>
    public double MeasurementTimeoutSeconds => SecondsPerMeasurement + Math.Max(3 * SecondsPerMeasurement, WaitQuietSeconds);

    /// <summary>Intra-op thread counts measured: 1 and <see cref="Threads"/>.</summary>
    public IReadOnlyList<int> ThreadCounts => Threads == 1 ? [1] : [1, Threads];
}

/// <summary>
/// One throughput measurement of ours.
/// </summary>
/// <param name="Model">resnet18, minilm or audio-cnn.</param>
/// <param name="Path">What is timed: full (the production entry point), network (the network call with its own pre/post-processing, inputs already prepared), tokenizer, spectrogram.</param>
/// <param name="Unit">images, sentences or windows.</param>
/// <param name="Threads">Intra-op threads of the ONNX Runtime session.</param>
/// <param name="Callers">Concurrent callers (1, or one per core as corpus extraction runs items).</param>
/// <param name="ItemsPerSecond">Median over the ~0.5 s rounds of items/s.</param>
/// <param name="MeanItemsPerSecond">All items / all seconds of the rounds used.</param>
public sealed record DeepMeasurement(
    string Model, string Path, string Unit, int Batch, int Threads, int Callers,
    double ItemsPerSecond, double MeanItemsPerSecond, long Calls, double Seconds, int WarmupCalls, Load Load);

/// <summary>One row of ours against a PyTorch peer with the same batch and the same number of cores.</summary>
/// <param name="Peer">resnet-2223 (our network's layer layout), resnet18 (torchvision) or minilm.</param>
/// <param name="Threads">Our intra-op threads (PyTorch's torch.set_num_threads is Threads x Callers).</param>
/// <param name="FullOverPeer">Ours on the production path (preprocessing, tokenisation included) / PyTorch.</param>
/// <param name="NetworkOverPeer">Ours, network path (inputs prepared as PyTorch's are) / PyTorch.</param>
/// <param name="AtLeastAsFast">FullOverPeer >= 1, for the peers of the same architecture (null for torchvision resnet18, a smaller network).</param>
public sealed record DeepComparison(
    string Model, string Unit, int Batch, int Threads, int Callers, string Peer, int PeerThreads, double? PeerItemsPerSecond,
    double? OursFull, double? OursNetwork, double? FullOverPeer, double? NetworkOverPeer, bool? AtLeastAsFast);

/// <summary>How our sessions run.</summary>
public sealed record DeepRuntime(
    string OnnxRuntimeVersion, int ProductionIntraOpThreads, string SessionOptions, string Production, int Niceness,
    IReadOnlyList<ModelFileIdentity> ResnetFiles, IReadOnlyList<ModelFileIdentity> MinilmFiles, bool CpuHasAvx512);

/// <summary>The generated inputs.</summary>
public sealed record DeepInputs(
    string Images, int Sentences, ulong Seed, double MeanWords, double MeanTokens, int MinTokens, int MaxTokens,
    double MeanPaddedTokensBatch32, IReadOnlyList<string> ExampleSentences, string Audio);

/// <summary>Fixed settings.</summary>
public sealed record DeepSettings(
    double SecondsPerMeasurement, bool Quick, int Threads, IReadOnlyList<int> ResnetBatches, IReadOnlyList<int> MinilmBatches,
    int AudioWindows, string Method, double MaxForeignLoad, double WaitQuietSeconds);

/// <summary>The whole report.</summary>
public sealed record DeepReport(
    string Benchmark, BenchEnvironment Environment, DeepSettings Settings, DeepRuntime Runtime, DeepInputs Inputs,
    IReadOnlyList<DeepMeasurement> Measurements, IReadOnlyList<DeepComparison> Comparisons, string UptimeBefore, string UptimeAfter,
    JsonNode? Peers, string? PeersNote);

/// <summary>
/// The <c>deep</c> benchmark: throughput of the deep features (<see cref="ResNet18Features"/>,
/// <see cref="MiniLmSentenceEncoder"/>, <see cref="AudioCnnFeatures"/>) through the project's ONNX Runtime
/// sessions, at 1 intra-op thread and at all cores, beside PyTorch CPU running the same architectures
/// (eval/peers/deep_peers.py).
/// </summary>
public static class DeepFeaturesBenchmark
{
    public static readonly int[] ResNetBatches = [1, 16];
    public static readonly int[] MiniLmBatches = [1, MiniLmSentenceEncoder.BatchSize];
    public const int SentenceCount = 256;
    public const ulong Seed = 20240611;
    public const int FrameWidth = 320, FrameHeight = 240;
    public const int AudioSeconds = 10;
    public const string PeerScript = "eval/peers/deep_peers.py";

    public const string Method =
        "Each measurement: >= 2 untimed calls and >= 0.5 s of warm-up, then ~0.5 s rounds of calls until the rounds used add up to " +
        ">= the measurement time (and >= 3 rounds); items/s is the median over rounds of the round's items / its wall time (the mean " +
        "over all rounds is in the JSON). Inputs are cycled over (256 sentences; 16 frames). Rounds in which other processes used more than " +
        "--max-load of the processors are discarded (default 1: none; the share is recorded for every measurement). The PyTorch peer " +
        "measures the same way.";

    public static int Run(string[] args)
    {
        var options = DeepBenchmarkOptions.Parse(args);
        var environment = BenchEnvironment.Capture();
        var uptimeBefore = Uptime();
        int production = DeepInference.IntraOpThreads;
        Log($"deep benchmark: {options.SecondsPerMeasurement:0.#} s per measurement, threads {string.Join(" and ", options.ThreadCounts)}, " +
            $"{environment.ProcessorCount} processors, ONNX Runtime {OrtEnv.Instance().GetVersionString()}; load {uptimeBefore}");

        // Inputs, seeded.
        var frames = MakeFrames(ResNetBatches.Max());
        var planes = new float[frames.Length * ResNet18Features.InputLength];
        for (int i = 0; i < frames.Length; i++) ResNet18Features.WriteInput(frames[i], planes.AsSpan(i * ResNet18Features.InputLength, ResNet18Features.InputLength));
        var sentences = MakeSentences(SentenceCount, Seed);
        var clip = MakeClip(AudioSeconds, Seed);

        // One instance (hence one session) per thread count: DeepInference keys sessions by file and thread count.
        var resnets = new Dictionary<int, ResNet18Features>();
        var encoders = new Dictionary<int, MiniLmSentenceEncoder>();
        foreach (var t in options.ThreadCounts)
        {
            DeepInference.IntraOpThreads = t;
            resnets[t] = ResNet18Features.Load();
            encoders[t] = MiniLmSentenceEncoder.Load();
        }
        DeepInference.IntraOpThreads = production;
        var tokenizer = encoders[1].Tokenizer;
        var tokens = sentences.Select(s => tokenizer.Encode(s, MiniLmSentenceEncoder.MaxTokens)).ToArray();

        var measurements = new List<DeepMeasurement>();
        void Add(DeepMeasurement m)
        {
            measurements.Add(m);
            Log($"{m.Model} {m.Path} batch {m.Batch}, {m.Threads} thread(s) x {m.Callers} caller(s): {m.ItemsPerSecond:0.0} {m.Unit}/s " +
                $"(mean {m.MeanItemsPerSecond:0.0}); {RbmBenchmark.Describe(m.Load)}");
        }

        // ResNet-18: the network path (RGB planes -> BGR minus the mean image -> ONNX Runtime -> 512 floats per image) and the
        // production path (ExtractEach: 320x240 frames centre-cropped and resized to 224x224, then the same).
        foreach (var t in options.ThreadCounts)
            foreach (var b in ResNetBatches)
            {
                var net = resnets[t];
                var input = planes.AsSpan(0, b * ResNet18Features.InputLength).ToArray();
                var batchFrames = frames.Take(b).ToArray();
                Add(Measure("resnet18", "network", "images", b, t, 1, options, () => { net.Run(input, b); return b; }));
                Add(Measure("resnet18", "full", "images", b, t, 1, options, () => { net.ExtractEach(batchFrames); return b; }));
            }

        // MiniLM: the production path (Encode: tokenisation, padding, one network call per 32, mean pooling, L2) and the
        // network path (EncodeBatch of sentences tokenised beforehand).
        var tokenRate = Measure("minilm", "tokenizer", "sentences", 1, 1, 1, options, Cycle(sentences.Length, i => { tokenizer.Encode(sentences[i], MiniLmSentenceEncoder.MaxTokens); return 1; }));
        Add(tokenRate);
        foreach (var t in options.ThreadCounts)
            foreach (var b in MiniLmBatches)
            {
                var encoder = encoders[t];
                var textChunks = Chunks(sentences, b);
                var tokenChunks = Chunks(tokens, b);
                Add(Measure("minilm", "network", "sentences", b, t, 1, options, Cycle(tokenChunks.Count, i => encoder.EncodeBatch(tokenChunks[i]).Length)));
                Add(Measure("minilm", "full", "sentences", b, t, 1, options, Cycle(textChunks.Count, i => encoder.Encode(textChunks[i]).Length)));
            }

        // Production on all cores: corpus extraction runs one item per core, each network call with 1 intra-op thread.
        int callers = options.Threads;
        if (callers > 1)
        {
            foreach (var b in ResNetBatches)
            {
                var batchFrames = frames.Take(b).ToArray();
                Add(Measure("resnet18", "full", "images", b, 1, callers, options, Concurrently(callers, _ => { resnets[1].ExtractEach(batchFrames); return b; })));
            }
            foreach (var b in MiniLmBatches)
            {
                var textChunks = Chunks(sentences, b);
                int next = 0;
                Add(Measure("minilm", "full", "sentences", b, 1, callers, options,
                    Concurrently(callers, _ => encoders[1].Encode(textChunks[(Interlocked.Increment(ref next) & int.MaxValue) % textChunks.Count]).Length)));
            }
        }

        // audio-cnn: a 10 s clip = 10 one-second windows as one batch (log-mel spectrogram images, then the ResNet).
        int windows = LogMelSpectrogramImage.WindowStarts(clip.Samples.Length, clip.SampleRate).Count;
        if (options.Audio)
        {
            var starts = LogMelSpectrogramImage.WindowStarts(clip.Samples.Length, clip.SampleRate);
            var image = new float[ResNet18Features.InputLength];
            Add(Measure("audio-cnn", "spectrogram", "windows", windows, 1, 1, options, () =>
            {
                foreach (var s in starts) LogMelSpectrogramImage.Write(clip, s, image);
                return starts.Count;
            }));
            foreach (var t in options.ThreadCounts)
            {
                var audio = new AudioCnnFeatures(resnets[t]);
                Add(Measure("audio-cnn", "full", "windows", windows, t, 1, options, () => audio.ExtractEach(clip).Length));
            }
            if (callers > 1)
            {
                var audio = new AudioCnnFeatures(resnets[1]);
                Add(Measure("audio-cnn", "full", "windows", windows, 1, callers, options, Concurrently(callers, _ => audio.ExtractEach(clip).Length)));
            }
        }

        // Peers, after ours, one at a time.
        JsonNode? peers = null;
        string? peersNote = null;
        if (options.Peers)
        {
            var lengthsFile = Path.Combine(Path.GetTempPath(), $"affect-deep-lengths-{Environment.ProcessId}.json");
            File.WriteAllText(lengthsFile, JsonSerializer.Serialize(new { source = "Affect.Search deep benchmark: MiniLM WordPiece token counts ([CLS] and [SEP] included)", lengths = tokens.Select(t => t.Length) }));
            try
            {
                var arguments = new List<string>
                {
                    "--json", "--seconds", options.SecondsPerMeasurement.ToString("R", CultureInfo.InvariantCulture),
                    "--threads", string.Join(',', options.ThreadCounts), "--resnet-batches", string.Join(',', ResNetBatches),
                    "--minilm-batches", string.Join(',', MiniLmBatches), "--lengths", lengthsFile,
                    "--wait-quiet", options.WaitQuietSeconds.ToString("R", CultureInfo.InvariantCulture),
                    "--max-load", options.MaxForeignLoad.ToString("R", CultureInfo.InvariantCulture),
                    "--timeout", options.MeasurementTimeoutSeconds.ToString("R", CultureInfo.InvariantCulture),
                };
                if (options.Quick) arguments.Add("--quick");
                (peers, peersNote) = PeerRunner.RunScript(PeerScript, arguments, "PyTorch ResNet and MiniLM", TimeSpan.FromMinutes(60));
                if (peers?["skipped"]?.GetValue<string>() is { } why) peersNote = $"peers skipped: {why}";
                else if (peers?["resnet"]?["skipped"]?.GetValue<string>() is { } whyResNet) peersNote = $"ResNet peers skipped: {whyResNet}";
            }
            finally { File.Delete(lengthsFile); }
            if (peersNote is not null) Log(peersNote);
        }
        else peersNote = "peers not run (--no-peers)";

        var comparisons = Compare(measurements, peers, options);
        var padded = Chunks(tokens, MiniLmSentenceEncoder.BatchSize).Average(c => c.Max(t => t.Length));
        var inputs = new DeepInputs(
            $"{ResNetBatches.Max()} seeded random-pixel {FrameWidth}x{FrameHeight} RGB frames (the decoder's keyframe width); the network path gets them " +
            "already centre-cropped and resized to 224x224 R, G, B planes of 0..255 values",
            sentences.Length, Seed, sentences.Average(s => s.Split(' ').Length), tokens.Average(t => t.Length), tokens.Min(t => t.Length), tokens.Max(t => t.Length),
            padded, sentences.Take(5).ToList(),
            $"{AudioSeconds} s at {AudioClip.StandardSampleRate} Hz (seeded tones and noise): {windows} one-second windows, one batch");
        var runtime = new DeepRuntime(OrtEnv.Instance().GetVersionString(), production,
            "IntraOpNumThreads = DeepInference.IntraOpThreads, InterOpNumThreads = 1, ORT_SEQUENTIAL, ORT_ENABLE_ALL graph optimisations, CPU execution provider, other options at their defaults",
            $"DeepInference.IntraOpThreads = {production} (its default; nothing in src/ changes it): every session call runs on one thread while " +
            $"CorpusExtraction runs one item per core (Environment.ProcessorCount = {Environment.ProcessorCount}); a lone query also gets one thread",
            Niceness(), resnets[1].Files, encoders[1].Files, CpuHasAvx512());
        var settings = new DeepSettings(options.SecondsPerMeasurement, options.Quick, options.Threads, ResNetBatches, MiniLmBatches, windows, Method,
            options.MaxForeignLoad, options.WaitQuietSeconds);
        var report = new DeepReport("deep-features", environment, settings, runtime, inputs, measurements, comparisons, uptimeBefore, Uptime(), peers, peersNote);

        var markdown = Markdown(report);
        Console.WriteLine(markdown);
        if (options.MarkdownPath is { } md) WriteFile(md, markdown);
        if (options.JsonPath is { } js) WriteFile(js, JsonSerializer.Serialize(report, JsonOptions) + "\n");
        return 0;
    }

    // ---- measurement ----

    private sealed class Round
    {
        public readonly long Start = Stopwatch.GetTimestamp();
        public long End, Calls, Items;
        public double Seconds => (End - Start) / (double)Stopwatch.Frequency;
    }

    /// <summary>Warm-up, then ~0.5 s rounds of <paramref name="call"/> (which returns the items it handled).</summary>
    private static DeepMeasurement Measure(string model, string path, string unit, int batch, int threads, int callers, DeepBenchmarkOptions options, Func<int> call)
    {
        if (options.WaitQuietSeconds > 0)
        {
            var (waited, last) = Quiet.WaitFor(options.WaitQuietSeconds);
            if (waited >= 1.5) Log($"{model} {path}: waited {waited:0} s for the machine to quiet down (other load {last:P0} in the last 0.5 s window)");
        }
        int warmup = 0;
        var clock = Stopwatch.StartNew();
        while (warmup < 2 || clock.Elapsed.TotalSeconds < 0.5) { call(); warmup++; }
        var (rounds, load) = QuietRounds.Run(() => new Round(), r =>
        {
            r.Items += call();
            r.Calls++;
            r.End = Stopwatch.GetTimestamp();
        }, quiet => quiet.Count >= 3 && quiet.Sum(r => r.Seconds) >= options.SecondsPerMeasurement, options.MaxForeignLoad, options.MeasurementTimeoutSeconds);
        double seconds = rounds.Sum(r => r.Seconds);
        return new DeepMeasurement(model, path, unit, batch, threads, callers,
            TimingBuilder.Median(rounds.Select(r => r.Items / r.Seconds)), rounds.Sum(r => r.Items) / seconds,
            rounds.Sum(r => r.Calls), seconds, warmup, load);
    }

    private static Func<int> Cycle(int count, Func<int, int> call)
    {
        int next = 0;
        return () => call(next++ % count);
    }

    /// <summary>One call per caller, concurrently (the callers' batches count together).</summary>
    private static Func<int> Concurrently(int callers, Func<int, int> call) => () =>
    {
        int items = 0;
        System.Threading.Tasks.Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, c => Interlocked.Add(ref items, call(c)));
        return items;
    };

    private static List<T[]> Chunks<T>(IReadOnlyList<T> items, int size) =>
        Enumerable.Range(0, items.Count / size).Select(k => items.Skip(k * size).Take(size).ToArray()).ToList();

    // ---- inputs ----

    private static RgbImage[] MakeFrames(int count)
    {
        var random = new Random((int)Seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var pixels = new byte[FrameWidth * FrameHeight * 3];
            random.NextBytes(pixels);
            return new RgbImage(FrameWidth, FrameHeight, pixels);
        }).ToArray();
    }

    /// <summary>Common English words and the emotion vocabulary of the corpus's descriptions (some split into several WordPieces).</summary>
    public static readonly string[] Words =
    [
        "the", "a", "an", "and", "but", "or", "of", "in", "on", "at", "to", "with", "from", "for", "by", "over", "under", "after", "before", "while",
        "is", "was", "are", "were", "be", "has", "had", "will", "can", "would", "she", "he", "they", "we", "it", "her", "his", "their", "this", "that",
        "man", "woman", "child", "crowd", "dog", "car", "street", "city", "river", "sea", "mountain", "forest", "room", "kitchen", "window", "door",
        "night", "morning", "rain", "snow", "sun", "light", "music", "song", "voice", "face", "hands", "eyes", "smile", "tears", "laughter", "silence",
        "walks", "runs", "laughs", "cries", "sings", "dances", "shouts", "whispers", "waits", "looks", "holds", "falls", "opens", "closes", "plays",
        "happy", "sad", "angry", "calm", "quiet", "loud", "dark", "bright", "slow", "fast", "old", "young", "small", "large", "cold", "warm",
        "joyful", "gloomy", "tense", "peaceful", "frightening", "cheerful", "melancholy", "furious", "tender", "anxious", "nostalgic", "serene",
        "exhilarating", "bittersweet", "ominous", "playful", "desolate", "triumphant", "suspenseful", "heartwarming", "eerie", "upbeat",
        "slowly", "suddenly", "softly", "together", "alone", "again", "away", "very", "almost", "never", "always",
    ];

    /// <summary>Short sentences of 5..20 words drawn from <see cref="Words"/>, seeded.</summary>
    public static string[] MakeSentences(int count, ulong seed)
    {
        var random = new Random((int)seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int n = random.Next(5, 21);
            var sb = new StringBuilder();
            for (int w = 0; w < n; w++)
            {
                var word = Words[random.Next(Words.Length)];
                if (w == 0) word = char.ToUpperInvariant(word[0]) + word[1..];
                else sb.Append(' ');
                sb.Append(word);
                if (w < n - 1 && random.NextDouble() < 0.08) sb.Append(',');
            }
            sb.Append(random.NextDouble() switch { < 0.8 => '.', < 0.9 => '!', _ => '?' });
            return sb.ToString();
        }).ToArray();
    }

    private static AudioClip MakeClip(int seconds, ulong seed)
    {
        var random = new Random((int)seed + 1);
        int rate = AudioClip.StandardSampleRate;
        var samples = new float[seconds * rate];
        for (int i = 0; i < samples.Length; i++)
        {
            double t = i / (double)rate;
            samples[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (220 + 40 * t) * t) + 0.2 * Math.Sin(2 * Math.PI * 1250 * t) * (i / rate % 2)
                                 + 0.05 * (random.NextDouble() * 2 - 1));
        }
        return new AudioClip(samples, rate);
    }

    // ---- comparison ----

    private static double? PeerRate(JsonNode? measurements, int batch, int threads)
    {
        if (measurements is not JsonArray array) return null;
        foreach (var m in array)
            if ((int?)m?["batch"] == batch && (int?)m?["threads"] == threads) return (double?)m?["items_per_second"];
        return null;
    }

    private static List<DeepComparison> Compare(List<DeepMeasurement> ours, JsonNode? peers, DeepBenchmarkOptions options)
    {
        double? Ours(string model, string path, int batch, int threads, int callers) =>
            ours.FirstOrDefault(m => m.Model == model && m.Path == path && m.Batch == batch && m.Threads == threads && m.Callers == callers)?.ItemsPerSecond;
        double? Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? x / y : null;

        var rows = new List<DeepComparison>();
        var configs = options.ThreadCounts.Select(t => (Threads: t, Callers: 1)).ToList();
        if (options.Threads > 1) configs.Add((1, options.Threads));
        foreach (var (peer, model, unit, batches, sameArchitecture) in new[]
        {
            ("resnet-2223", "resnet18", "images", ResNetBatches, true),
            ("resnet18", "resnet18", "images", ResNetBatches, false),
            ("resnet-2223-jit", "resnet18", "images", ResNetBatches, false),
            ("minilm", "minilm", "sentences", MiniLmBatches, true),
        })
        {
            JsonNode? peerMeasurements = model == "minilm"
                ? peers?["minilm"]?["measurements"]
                : (peers?["resnet"]?["variants"] as JsonArray)?.FirstOrDefault(v => (string?)v?["name"] == peer)?["measurements"];
            foreach (var (threads, callers) in configs)
                foreach (var b in batches)
                {
                    int peerThreads = threads * callers;
                    var peerRate = PeerRate(peerMeasurements, b, peerThreads);
                    var full = Ours(model, "full", b, threads, callers);
                    var network = callers == 1 ? Ours(model, "network", b, threads, callers) : null;
                    var fullRatio = Ratio(full, peerRate);
                    rows.Add(new DeepComparison(model, unit, b, threads, callers, peer, peerThreads, peerRate, full, network, fullRatio, Ratio(network, peerRate),
                        sameArchitecture && fullRatio is { } r ? r >= 1 : null));
                }
        }
        return rows;
    }

    // ---- report ----

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string F1(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("N1", CultureInfo.InvariantCulture) : "n/a";
    private static string F2(double? x) => x is { } v && double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
    private static string Pct(double? x) => x is { } v && double.IsFinite(v) ? (100 * v).ToString("0", CultureInfo.InvariantCulture) + " %" : "n/a";
    private static string Cores(int threads, int callers) => callers == 1 ? $"{threads}" : $"{callers} x 1";

    public static string Markdown(DeepReport r)
    {
        var e = r.Environment;
        var sb = new StringBuilder();
        sb.AppendLine("# Deep feature extraction throughput");
        sb.AppendLine();
        sb.AppendLine($"Measured {e.DateUtc} on {e.CpuModel}, {e.ProcessorCount} processors, {e.Os}, {e.Runtime}, ONNX Runtime {r.Runtime.OnnxRuntimeVersion} " +
                      $"(CPU execution provider; the CPU {(r.Runtime.CpuHasAvx512 ? "has" : "lacks")} AVX-512), niceness {r.Runtime.Niceness}. Load (`uptime`) before: {r.UptimeBefore}; after: {r.UptimeAfter}. " +
                      $"{r.Settings.SecondsPerMeasurement:0.#} s per measurement{(r.Settings.Quick ? " (--quick)" : "")}.");
        sb.AppendLine();
        sb.AppendLine($"Sessions: {r.Runtime.SessionOptions}. Production: {r.Runtime.Production}. Here each thread count gets its own session " +
                      "(`DeepInference.IntraOpThreads` set before `ResNet18Features.Load()` / `MiniLmSentenceEncoder.Load()`); rows \"N x 1\" are " +
                      "the production setting on all cores: N concurrent callers on the 1-thread session.");
        sb.AppendLine();
        sb.AppendLine("What is timed (ours): **full** is the production entry point: `ResNet18Features.ExtractEach(frames)` (320x240 RGB frames centre-cropped " +
                      "and resized to 224x224, RGB to BGR minus the package's mean image, one ONNX Runtime call per batch, outputs copied to one array per image) and " +
                      "`MiniLmSentenceEncoder.Encode(texts)` (WordPiece tokenisation, padding to the batch's longest, one call, mean pooling over the mask, L2 norm); " +
                      "**network** starts from prepared inputs, as PyTorch does: `ResNet18Features.Run(planes, n)` (224x224 planes; still includes the mean " +
                      "subtraction and output copies) and `MiniLmSentenceEncoder.EncodeBatch(tokenIds)` (still includes padding, tensor building and pooling). " +
                      "PyTorch times `model(x)` on a prepared tensor (and for MiniLM the embeddings, encoder, pooling and normalisation on prepared id/mask tensors).");
        sb.AppendLine();
        sb.AppendLine(r.Settings.Method);
        sb.AppendLine();

        var peers = r.Peers;
        var resnetRows = r.Comparisons.Where(c => c.Model == "resnet18").ToList();
        var byKey = resnetRows.GroupBy(c => (c.Batch, c.Threads, c.Callers)).ToList();
        sb.AppendLine("## ResNet-18, images/s");
        sb.AppendLine();
        sb.AppendLine("| batch | cores (threads) | ours full | ours network | torch, same layers ([2,2,2,3]) | torchvision resnet18 | torch same layers, jit-optimised | full / same layers | network / same layers | full / resnet18 | network / resnet18 | full / jit-optimised |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in byKey.OrderBy(g => g.Key.Callers).ThenBy(g => g.Key.Threads).ThenBy(g => g.Key.Batch))
        {
            var same = g.First(c => c.Peer == "resnet-2223");
            var tv = g.First(c => c.Peer == "resnet18");
            var jit = g.First(c => c.Peer == "resnet-2223-jit");
            sb.AppendLine($"| {g.Key.Batch} | {Cores(g.Key.Threads, g.Key.Callers)} | {F1(same.OursFull)} | {F1(same.OursNetwork)} | {F1(same.PeerItemsPerSecond)} | {F1(tv.PeerItemsPerSecond)} | {F1(jit.PeerItemsPerSecond)} | " +
                          $"{Ratio(same.FullOverPeer)} | {F2(same.NetworkOverPeer)} | {F2(tv.FullOverPeer)} | {F2(tv.NetworkOverPeer)} | {F2(jit.FullOverPeer)} |");
        }
        sb.AppendLine();
        if (peers?["resnet"]?["variants"] is JsonArray variants)
            sb.AppendLine("Our network (`ResNet18.onnx` of Microsoft.ML.DnnImageFeaturizer.ResNet18, a CNTK export) has three basic blocks in its 512-channel stage " +
                          "where torchvision's resnet18 has two (22 convolutions, 15.9 M parameters in the file), so the peer of the same computation is torchvision's " +
                          "`ResNet(BasicBlock, [2, 2, 2, 3])`, run as PyTorch runs a model by default (eager, `eval()`, `inference_mode()`; the goal is judged on it); " +
                          "torchvision's `resnet18` is shown too, and the [2, 2, 2, 3] network through `torch.jit.optimize_for_inference` (batch norm folded " +
                          "into the convolutions, oneDNN layouts kept between layers: PyTorch tuned for CPU inference, as ONNX Runtime's graph optimisations do for ours). " +
                          "Convolution GMAC per image: " +
                          string.Join(", ", variants.Where(v => !((string?)v?["name"])!.EndsWith("-jit", StringComparison.Ordinal)).Select(v => $"{v?["name"]} {(double?)v?["conv_gmacs_per_image"]:0.00} ({(long?)v?["parameters"] / 1e6:0.0} M parameters without fc)")) + ".");
        sb.AppendLine();

        sb.AppendLine("## MiniLM, sentences/s");
        sb.AppendLine();
        sb.AppendLine("| batch | cores (threads) | ours full (tokenise + encode) | ours network (pre-tokenised) | torch | full / torch | network / torch |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var c in r.Comparisons.Where(c => c.Model == "minilm").OrderBy(c => c.Callers).ThenBy(c => c.Threads).ThenBy(c => c.Batch))
            sb.AppendLine($"| {c.Batch} | {Cores(c.Threads, c.Callers)} | {F1(c.OursFull)} | {F1(c.OursNetwork)} | {F1(c.PeerItemsPerSecond)} | {Ratio(c.FullOverPeer)} | {F2(c.NetworkOverPeer)} |");
        sb.AppendLine();
        var tok = r.Measurements.FirstOrDefault(m => m.Path == "tokenizer");
        var i = r.Inputs;
        sb.AppendLine($"Sentences: {i.Sentences} seeded sentences of 5..20 words (mean {i.MeanWords:0.0}) from a fixed list of {Words.Length} words, e.g. " +
                      string.Join("; ", i.ExampleSentences.Take(3).Select(s => $"\"{s}\"")) + $". Our tokenizer gives {i.MeanTokens:0.0} tokens per sentence " +
                      $"([CLS] and [SEP] included; {i.MinTokens}..{i.MaxTokens}), {i.MeanPaddedTokensBatch32:0.0} per sentence once a batch of 32 is padded. " +
                      "The PyTorch peer gets token-id tensors of exactly these lengths (the benchmark writes them to a file for it), batched and padded the same way. " +
                      (tok is null ? "" : $"Tokenisation alone (`WordPieceTokenizer.Encode`, one thread): {F1(tok.ItemsPerSecond)} sentences/s."));
        sb.AppendLine();

        var audio = r.Measurements.Where(m => m.Model == "audio-cnn").ToList();
        if (audio.Count > 0)
        {
            sb.AppendLine("## audio-cnn, windows/s (ours only)");
            sb.AppendLine();
            sb.AppendLine($"{i.Audio}; `AudioCnnFeatures.ExtractEach(clip)` (log-mel spectrogram images, then the ResNet on the batch).");
            sb.AppendLine();
            sb.AppendLine("| what | cores (threads) | windows/s |");
            sb.AppendLine("|---|---|---:|");
            foreach (var m in audio)
                sb.AppendLine($"| {(m.Path == "spectrogram" ? "spectrogram images alone (`LogMelSpectrogramImage.Write`)" : "full")} | {Cores(m.Threads, m.Callers)} | {F1(m.ItemsPerSecond)} |");
            sb.AppendLine();
        }

        var goal = r.Comparisons.Where(c => c.AtLeastAsFast is not null).ToList();
        if (goal.Count > 0)
        {
            int met = goal.Count(c => c.AtLeastAsFast == true);
            sb.AppendLine($"## Goal: at least as fast as PyTorch CPU on the same architecture (full path, ours / PyTorch >= 1)");
            sb.AppendLine();
            var single = goal.Where(c => c.Threads == 1 && c.Callers == 1).ToList();
            sb.AppendLine($"Met in {met} of {goal.Count} rows (one core, one thread: {single.Count(c => c.AtLeastAsFast == true)} of {single.Count}; ratios there: " +
                          string.Join(", ", single.Select(c => $"{c.Model} batch {c.Batch} {F2(c.FullOverPeer)}x")) + ")" + (met < goal.Count
                ? ": missed at " + string.Join(", ", goal.Where(c => c.AtLeastAsFast == false).Select(c => $"{c.Model} batch {c.Batch} on {Cores(c.Threads, c.Callers)} ({F2(c.FullOverPeer)}x)")) + "."
                : "."));
            sb.AppendLine();
        }

        sb.AppendLine("## Load");
        sb.AppendLine();
        double meanForeign = r.Measurements.Select(m => m.Load.ForeignCpu).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        if (r.Runtime.Niceness > 0 || meanForeign > 0.2)
        {
            sb.AppendLine($"This run had niceness {r.Runtime.Niceness} (the peer inherits it) beside other jobs (mean other load {Pct(meanForeign)} of the processors). " +
                          "A multi-threaded call waits for its slowest thread, and a thread of a niced process may wait long for a core, so rows with more " +
                          "than one thread (ours and PyTorch's) mostly measure that contention (PyTorch's OpenMP threads, which spin and then sleep at every " +
                          "parallel region, suffer most); the one-thread rows are the comparable ones.");
            sb.AppendLine();
        }
        sb.AppendLine("The machine is shared; other processes' share of all processors during each measurement (from /proc/stat, minus this process; " +
                      (r.Settings.MaxForeignLoad < 1 ? $"rounds above {Pct(r.Settings.MaxForeignLoad)} discarded" : "no rounds discarded") + "):");
        sb.AppendLine();
        sb.AppendLine("- ours: " + string.Join(", ", r.Measurements.Select(m =>
            $"{m.Model} {m.Path} b{m.Batch} {Cores(m.Threads, m.Callers)} {Pct(m.Load.ForeignCpu)}{(m.Load.Noisy ? " (**noisy**)" : "")}")));
        if (peers is not null)
        {
            var peerLoads = new List<string>();
            if (peers["resnet"]?["variants"] is JsonArray vs)
                foreach (var v in vs)
                    foreach (var m in v?["measurements"] as JsonArray ?? [])
                        peerLoads.Add($"{v?["name"]} b{m?["batch"]} {m?["threads"]} {Pct((double?)m?["foreign_cpu"])}{((bool?)m?["noisy"] == true ? " (**noisy**)" : "")}");
            foreach (var m in peers["minilm"]?["measurements"] as JsonArray ?? [])
                peerLoads.Add($"minilm b{m?["batch"]} {m?["threads"]} {Pct((double?)m?["foreign_cpu"])}{((bool?)m?["noisy"] == true ? " (**noisy**)" : "")}");
            if (peerLoads.Count > 0) sb.AppendLine("- PyTorch: " + string.Join(", ", peerLoads));
        }
        sb.AppendLine();

        sb.AppendLine("## Peers");
        sb.AppendLine();
        if (r.PeersNote is not null) sb.AppendLine($"{r.PeersNote}.");
        if (peers?["torch"] is not null)
            sb.AppendLine($"`{PeerRunner.Python} {PeerScript}`, run after ours: torch {peers["torch"]}, torchvision {peers["resnet"]?["torchvision"] ?? "n/a"}, " +
                          $"oneDNN {((bool?)peers["mkldnn"] == true ? "available" : "not available")} (convolutions run there), ATen CPU capability {peers["cpu_capability"] ?? "n/a"}, " +
                          $"parallel backend {peers["parallel_backend"]}, BLAS OpenBLAS {peers["openblas"]?["corename"] ?? "n/a"} (MiniLM's matrix products), " +
                          $"`torch.set_num_threads(N)` and `openblas_set_num_threads(N)` (torch's call leaves OpenBLAS at all cores) per measurement, " +
                          $"OMP_WAIT_POLICY={peers["environment"]?["OMP_WAIT_POLICY"]?.ToString() ?? "(unset)"}, float32, random weights, `eval()` and `torch.inference_mode()`. ResNet input [batch, 3, 224, 224], fc replaced by Identity. " +
                          $"MiniLM: {peers["minilm"]?["model"]}; {peers["minilm"]?["mode"]}.");
        sb.AppendLine();
        sb.AppendLine($"Model files: {string.Join(", ", r.Runtime.ResnetFiles.Concat(r.Runtime.MinilmFiles).Select(f => $"{f.File} ({f.Sha256[..12]}...)"))}.");
        return sb.ToString();

        static string Ratio(double? x) => x is { } v && double.IsFinite(v) ? (v >= 1 ? F2(v) : $"**{F2(v)}**") : "n/a";
    }

    // ---- helpers ----

    private static string Uptime()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return fields.Length >= 3 ? $"load average {fields[0]}, {fields[1]}, {fields[2]}" : "n/a";
        }
        catch (IOException) { return "n/a"; }
    }

    private static int Niceness()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], CultureInfo.InvariantCulture); // field 19 of stat; fields here start at field 3
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException) { return 0; }
    }

    private static bool CpuHasAvx512()
    {
        try { return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(' ').Contains("avx512f") == true; }
        catch (IOException) { return false; }
    }

    private static void WriteFile(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        Log($"wrote {full}");
    }

    private static void Log(string message) => RbmBenchmark.Log(message);
}
