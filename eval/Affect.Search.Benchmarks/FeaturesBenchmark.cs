using System.Diagnostics;
using System.Text.Json;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;

namespace Affect.Search.Benchmarks;

/// <summary>
/// Feature extraction throughput on a 10-second 320x240 video with audio (made with ffmpeg): items per
/// second through the whole extractor (decode + every feature of the cpu preset), the share of the time
/// spent in ffmpeg (decoding alone, timed separately on the same file), and this process's peak memory.
/// </summary>
internal static class FeaturesBenchmark
{
    public static int Run(string[] args)
    {
        int items = 20;
        string? jsonPath = null, markdownPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--items": items = int.Parse(args[++i]); break;
                case "--json": jsonPath = args[++i]; break;
                case "--markdown": markdownPath = args[++i]; break;
                default: throw new CliException($"features: unknown option '{args[i]}'");
            }
        }
        var folder = Directory.CreateTempSubdirectory("affect-bench-").FullName;
        try
        {
            var video = Path.Combine(folder, "clip.mp4");
            Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=10", "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
                "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", video);
            var item = new ManifestItem("clip", "a test pattern with a tone", null, null, video, new Dictionary<string, IReadOnlyList<string>>(), null, 1);
            var decoder = new MediaDecoder();
            var space = FeatureSpaceLearner.Learn(new[] { item }, decoder, new FeatureSpaceOptions { VisualCodebookSize = 256, AudioCodebookSize = 128, MinDocumentFrequency = 1 });
            var wanted = new[] { "dsift", "gist", "hog", "lbp", "ssim", "audio", "text" };
            using var extractor = new FeatureExtractor(space, decoder, wanted);
            extractor.Extract(item); // warm-up (JIT, filter banks)

            var decodeClock = Stopwatch.StartNew();
            for (int i = 0; i < items; i++) decoder.DecodeVideo(video);
            double decodeSeconds = decodeClock.Elapsed.TotalSeconds / items;

            var sequential = Stopwatch.StartNew();
            for (int i = 0; i < items; i++) extractor.Extract(item);
            double perItem = sequential.Elapsed.TotalSeconds / items;

            var parallelItems = Enumerable.Repeat(item, items).ToList();
            var parallel = Stopwatch.StartNew();
            CorpusExtraction.Run(parallelItems, extractor);
            double parallelRate = items / parallel.Elapsed.TotalSeconds;

            var result = new
            {
                date = DateTime.UtcNow.ToString("u"),
                processors = Environment.ProcessorCount,
                clip = "10 s, 320x240, 25 fps H.264 + AAC 440 Hz; keyframes at 1 fps (10 frames), audio at 16 kHz",
                features = wanted,
                itemsPerSecondOneThread = 1 / perItem,
                itemsPerSecondAllCores = parallelRate,
                secondsPerItem = perItem,
                ffmpegSecondsPerItem = decodeSeconds,
                ffmpegShare = decodeSeconds / perItem,
                peakWorkingSetMiB = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            };
            var markdown = $"""
                # Feature extraction throughput

                Measured {result.date} on {result.processors} processors: {result.clip}; features {string.Join(", ", wanted)}
                (bag-of-words codebooks of 256 visual and 128 audio words).

                | items/s (1 thread) | items/s ({result.processors} threads) | s per item | ffmpeg s per item | ffmpeg share | peak working set (MiB, this process) |
                |---:|---:|---:|---:|---:|---:|
                | {result.itemsPerSecondOneThread:F2} | {result.itemsPerSecondAllCores:F2} | {result.secondsPerItem:F3} | {result.ffmpegSecondsPerItem:F3} | {result.ffmpegShare:P0} | {result.peakWorkingSetMiB:F0} |

                ffmpeg's time is the decoding of the same clip timed on its own ({items} runs); the rest of an item's time is our
                feature code. ffmpeg runs in child processes, whose memory is not in the working set above.
                """;
            Console.WriteLine(markdown);
            if (markdownPath is not null) File.WriteAllText(markdownPath, markdown + "\n");
            if (jsonPath is not null) File.WriteAllText(jsonPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(arguments)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {err}");
    }
}
