using System.Diagnostics;
using System.Text.Json;

namespace Affect.Search.Tests.Shared;

/// <summary>
/// A small labelled multimodal corpus made with ffmpeg for end-to-end tests: three classes, each with its
/// own picture source (visual texture), sound and words, and every modality combination (video with text,
/// image with text, video without text, sound only, text only), plus a broken image. Shared by the engine
/// and command-line tests (linked into both projects).
/// </summary>
public sealed class EmotionTestCorpus : IDisposable
{
    /// <summary>
    /// Class name, lavfi picture source, lavfi sound source and words. cellauto and anoisesrc draw from a
    /// random seed unless given one, so their sources end in "seed=" and the corpus appends its seed.
    /// </summary>
    public static readonly (string Name, string Picture, string Sound, string[] Words)[] Classes =
    [
        ("joy", "testsrc=size=96x72:rate=5", "sine=frequency=400", ["sunny", "happy", "bright", "laugh", "smile"]),
        ("calm", "mandelbrot=size=96x72:rate=5", "anoisesrc=color=pink:amplitude=0.3:seed=", ["forest", "quiet", "gentle", "breeze", "rest"]),
        ("fear", "cellauto=size=96x72:rate=5:rule=110:seed=", "sine=frequency=2500", ["storm", "dark", "scream", "thunder", "panic"]),
    ];

    /// <summary>The seed the tests use unless AFFECT_TEST_CORPUS_SEED names another (to check a bound on other corpora).</summary>
    public static int DefaultSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("AFFECT_TEST_CORPUS_SEED"), out var seed) ? seed : 11;

    /// <summary>Creates the corpus of <see cref="DefaultSeed"/> in a new temporary folder.</summary>
    public EmotionTestCorpus() : this(DefaultSeed) { }

    /// <summary>
    /// Creates the corpus in a new temporary folder. The seed fixes everything random in it (the words of each
    /// text, the cellular automaton's first row, the pink noise), so one seed gives byte-identical files.
    /// </summary>
    public EmotionTestCorpus(int seed)
    {
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), "lavfi seeds are 0 to 2^32-1");
        Seed = seed;
        Folder = Directory.CreateTempSubdirectory("affect-emotion-corpus-").FullName;
        var random = new Random(seed);
        var lines = new List<string>();
        foreach (var (name, pictureSource, soundSource, words) in Classes)
        {
            string picture = Seeded(pictureSource, seed), sound = Seeded(soundSource, seed);
            Ffmpeg("-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound, "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", Path.Combine(Folder, $"{name}.mp4"));
            Ffmpeg("-f", "lavfi", "-i", picture, "-frames:v", "1", Path.Combine(Folder, $"{name}.png"));
            Ffmpeg("-f", "lavfi", "-i", sound, "-t", "1", "-c:a", "libvorbis", Path.Combine(Folder, $"{name}.ogg"));
            string Text() => string.Join(" ", Enumerable.Range(0, 4).Select(_ => words[random.Next(words.Length)])) + " " + new[] { "today", "again", "here" }[random.Next(3)];
            var labels = new Dictionary<string, string[]> { ["emotion"] = [name] };
            for (int k = 0; k < 6; k++) lines.Add(Line(new { id = $"{name}-video-{k}", text = Text(), video = $"{name}.mp4", labels }));
            for (int k = 0; k < 3; k++) lines.Add(Line(new { id = $"{name}-image-{k}", text = Text(), image = $"{name}.png", labels }));
            for (int k = 0; k < 3; k++) lines.Add(Line(new { id = $"{name}-text-{k}", text = Text(), labels }));
            for (int k = 0; k < 2; k++) lines.Add(Line(new { id = $"{name}-silent-{k}", video = $"{name}.mp4", labels }));
            lines.Add(Line(new { id = $"{name}-sound", audio = $"{name}.ogg", labels }));
        }
        File.WriteAllBytes(BrokenImage, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        File.WriteAllLines(Manifest, lines);
    }

    /// <summary>The seed the corpus was made with.</summary>
    public int Seed { get; }

    /// <summary>The folder holding the media and the manifest.</summary>
    public string Folder { get; }

    /// <summary>The manifest (JSON Lines).</summary>
    public string Manifest => Path.Combine(Folder, "items.jsonl");

    /// <summary>A file named .png that is not a decodable image.</summary>
    public string BrokenImage => Path.Combine(Folder, "broken.png");

    /// <summary>A class's video, image or sound file.</summary>
    public string Media(string name, string extension) => Path.Combine(Folder, $"{name}.{extension}");

    /// <summary>
    /// A model configuration with the cpu preset's topology, trained with small minibatches because the
    /// corpus has only a few dozen items (the preset's batch of 50 would give one update per epoch).
    /// </summary>
    public const string SmallBatchCpuConfig = """
        { "name": "cpu-small-batches", "jointSize": 64, "seed": 3,
          "modalities": [
            { "name": "visual", "jointSize": 64, "features": [
              { "name": "dsift", "hidden": [48, 32] }, { "name": "gist", "hidden": [48, 32] }, { "name": "hog", "hidden": [48, 32] },
              { "name": "lbp", "hidden": [48, 32] }, { "name": "ssim", "hidden": [48, 32] } ] },
            { "name": "audio", "features": [ { "name": "audio", "hidden": [48, 32] } ] },
            { "name": "text", "features": [ { "name": "text", "visible": "replicated-softmax", "documentLength": 5, "hidden": [64, 32] } ] } ],
          "pretraining": { "epochs": 30, "batchSize": 6, "learningRate": 0.05, "gaussianLearningRate": 0.005 },
          "jointTraining": { "epochs": 5, "batchSize": 6, "chains": 12, "gibbsSweeps": 5, "learningRate": 0.002 },
          "inferenceIterations": 5 }
        """;

    private static string Line(object item) => JsonSerializer.Serialize(item);

    private static string Seeded(string lavfiSource, int seed) => lavfiSource.EndsWith("seed=", StringComparison.Ordinal) ? lavfiSource + seed : lavfiSource;

    /// <summary>
    /// Runs ffmpeg quietly, overwriting outputs; a failure throws with ffmpeg's message. The last argument is
    /// the output file: bit-exact flags (no random Ogg serial number, no version strings) and one encoder
    /// thread (x264 writes its options, thread count included, into the stream, and that count defaults to the
    /// machine's cores) go before it, so one seed gives the same bytes on any machine with the same ffmpeg.
    /// </summary>
    public static void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        string[] reproducible = ["-threads", "1", "-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1"];
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(arguments[..^1]).Concat(reproducible).Append(arguments[^1])) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed making test media: {err}");
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
