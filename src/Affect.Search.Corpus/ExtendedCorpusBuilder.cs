using System.Diagnostics;
using Affect.Search.Corpus.Sources;
using Affect.Search.Features.Corpus;

namespace Affect.Search.Corpus;

/// <summary>The unpacked icon packages the extended corpus is built from; a null package is left out (at least one is needed).</summary>
/// <param name="MaterialDesignIcons">The unpacked <c>@mdi/svg</c> package folder (holds <c>meta.json</c> and <c>svg/</c>), or null.</param>
/// <param name="TablerIcons">The unpacked <c>@tabler/icons</c> package folder (holds <c>icons.json</c> and <c>icons/outline/</c>), or null.</param>
/// <param name="PhosphorIcons">The unpacked <c>@phosphor-icons/core</c> package folder (holds <c>dist/index.mjs</c> and <c>assets/regular/</c>), or null.</param>
public sealed record ExtendedCorpusInputs(string? MaterialDesignIcons, string? TablerIcons, string? PhosphorIcons = null)
{
    /// <summary>Folder holding the npm tarballs (<c>name-version.tgz</c>) whose SHA-512 corpus.json and README.md record, or null.</summary>
    public string? Tarballs { get; init; }

    /// <summary>An opaque key of the inputs and builder that a caching script recorded, stored in corpus.json, or null.</summary>
    public string? BuildKey { get; init; }

    /// <summary>The packages given, as (source, package name, folder), in a fixed order.</summary>
    public IReadOnlyList<(string Source, string Package, string Folder)> Packages =>
        new (string Source, string Package, string? Folder)[]
        {
            (Sources.MaterialDesignIcons.Source, Sources.MaterialDesignIcons.PackageName, MaterialDesignIcons),
            (Sources.TablerIcons.Source, Sources.TablerIcons.PackageName, TablerIcons),
            (Sources.PhosphorIcons.Source, Sources.PhosphorIcons.PackageName, PhosphorIcons),
        }.Where(p => p.Folder is not null).Select(p => (p.Source, p.Package, p.Folder!)).ToList();
}

/// <summary>
/// Builds the extended training corpus (no emotion labels) from icon packages (Material Design Icons, Tabler Icons,
/// Phosphor Icons): one
/// manifest, <c>train.jsonl</c>, of text+image items (the icon's name, aliases and tags as words; the SVG rasterised
/// to a 64x64 PNG on white), with the package's category under <c>labels.category</c> and never an emotion or
/// sentiment label, plus README.md and corpus.json. These items are for unsupervised training only: there is no
/// reference or queries manifest. The output depends only on the inputs and the rsvg-convert version; lines are
/// sorted by id. A malformed metadata entry or an SVG that does not rasterise is reported and skipped; the build goes on.
/// </summary>
public sealed class ExtendedCorpusBuilder
{
    /// <summary>Version of the extended builder, recorded in corpus.json; raise it when the output for the same inputs changes.</summary>
    public const string Version = "1";

    /// <summary>The one label kind the extended corpus has: the package's category of the icon.</summary>
    public const string CategoryLabel = "category";

    private readonly MediaMaker _media;
    private readonly int _parallelism;

    /// <summary>Creates a builder.</summary>
    /// <param name="media">The media tools (default: rsvg-convert on PATH).</param>
    /// <param name="parallelism">rsvg-convert processes run at once (default: the processor count).</param>
    public ExtendedCorpusBuilder(MediaMaker? media = null, int? parallelism = null)
    {
        _media = media ?? new MediaMaker();
        _parallelism = Math.Max(1, parallelism ?? Environment.ProcessorCount);
    }

    /// <summary>
    /// Builds the extended corpus into <paramref name="outFolder"/>, in a sibling folder <c>OUT.partial</c> that
    /// replaces <paramref name="outFolder"/> only when complete.
    /// </summary>
    /// <exception cref="ArgumentException">no package is given, or <paramref name="outFolder"/> exists, is not empty and is not a corpus folder.</exception>
    /// <exception cref="DirectoryNotFoundException">a package folder is missing.</exception>
    /// <exception cref="FileNotFoundException">a package's metadata file is missing.</exception>
    /// <exception cref="InvalidDataException">a package's metadata file cannot be parsed as a whole (the message names it).</exception>
    public CorpusBuildReport Build(ExtendedCorpusInputs inputs, string outFolder, Action<CorpusProgress>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var packages = inputs.Packages;
        if (packages.Count == 0) throw new ArgumentException("no icon package given");
        var output = Path.GetFullPath(outFolder).TrimEnd(Path.DirectorySeparatorChar);
        if (output.Length == 0 || Path.GetFullPath(Path.GetPathRoot(output)!).TrimEnd(Path.DirectorySeparatorChar) == output)
            throw new ArgumentException($"{outFolder}: cannot build a corpus into a filesystem root");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !File.Exists(Path.Combine(output, CorpusFiles.CorpusJson)))
            throw new ArgumentException($"{output}: exists, is not empty and holds no {CorpusFiles.CorpusJson}; refusing to replace it");
        foreach (var (source, package, folder) in packages)
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{package} folder not found: {Path.GetFullPath(folder)}");

        var partial = output + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        var imageFolder = Path.Combine(partial, CorpusFiles.MediaFolder, "image");
        Directory.CreateDirectory(imageFolder);
        var paths = new PathNames(packages, partial);
        void Report(string stage, int done, int total) => progress?.Invoke(new CorpusProgress(stage, done, total));

        Report("read sources", 0, 1);
        var skipped = new List<SkippedEntry>();
        var icons = new List<IconEntry>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, _, folder) in packages)
        {
            var package = source switch
            {
                Sources.MaterialDesignIcons.Source => Sources.MaterialDesignIcons.Read(folder),
                Sources.TablerIcons.Source => Sources.TablerIcons.Read(folder),
                _ => Sources.PhosphorIcons.Read(folder),
            };
            foreach (var p in package.Problems) skipped.Add(new SkippedEntry(p.Id, SkipKind.BadMetadata, paths.Tidy(p.Reason)));
            foreach (var icon in package.Icons)
            {
                // Two names that differ only in case or punctuation would share an id; the first in the file keeps it.
                if (!taken.Add(icon.Id)) { skipped.Add(new SkippedEntry(icon.Id, SkipKind.DuplicateId, $"{source} icon '{icon.Name}': id {icon.Id} is already taken")); continue; }
                icons.Add(icon);
            }
        }
        Report("read sources", 1, 1);

        var items = RasteriseAll(icons, partial, paths, skipped, Report);
        items.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        skipped.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id) is var byId && byId != 0 ? byId : string.CompareOrdinal(a.Reason, b.Reason));

        Report("write manifest", 0, 1);
        var counts = CorpusCounts.Of(items, skipped);
        var train = Path.Combine(partial, CorpusSplit.FileName(Split.Train));
        CorpusFiles.WriteManifest(train, items);
        // The manifest must read back clean: a failure here is a bug in the builder, not in the data.
        var manifest = ManifestReader.Read(train);
        if (manifest.Errors.Count > 0)
            throw new InvalidOperationException($"{CorpusSplit.FileName(Split.Train)} does not read back: {string.Join("; ", manifest.Errors.Take(5))}");
        double seconds = clock.Elapsed.TotalSeconds;
        ExtendedCorpusFiles.WriteDescription(partial, inputs, items, counts, skipped, _media.ToolVersions(), seconds, _parallelism);
        Report("write manifest", 1, 1);

        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        Directory.Move(partial, output);
        Affect.Search.Durability.DirectorySync.FlushParentOf(output);
        return new CorpusBuildReport(output, items, skipped, counts, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Rasterises every icon into media/image/&lt;id&gt;.png, in parallel; an icon whose SVG fails is skipped with the reason.</summary>
    private List<CorpusItem> RasteriseAll(List<IconEntry> icons, string corpus, PathNames paths, List<SkippedEntry> skipped, Action<string, int, int> report)
    {
        var results = new CorpusItem?[icons.Count];
        var problems = new SkippedEntry?[icons.Count];
        int done = 0;
        report("rasterise icons", 0, icons.Count);
        try
        {
            Parallel.For(0, icons.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, i =>
            {
                var icon = icons[i];
                var image = $"{CorpusFiles.MediaFolder}/image/{icon.Id}.png";
                var png = Path.Combine(corpus, image);
                try
                {
                    _media.RasteriseIcon(icon.Svg, png);
                    var labels = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                    if (icon.Categories.Count > 0) labels[CategoryLabel] = icon.Categories;
                    results[i] = new CorpusItem(icon.Id, icon.Source, Split.Train, icon.Text, image, null, null, labels);
                }
                catch (Exception e) when (e is MediaToolException or IOException or UnauthorizedAccessException)
                {
                    // A half-written picture must not stay in the corpus without its manifest line.
                    try { File.Delete(png); } catch (IOException) { }
                    problems[i] = new SkippedEntry(icon.Id, SkipKind.Broken, paths.Tidy(e.Message));
                }
                int n = Interlocked.Increment(ref done);
                lock (results) report("rasterise icons", n, icons.Count);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // A missing rsvg-convert stops the build as itself, not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        skipped.AddRange(problems.Where(p => p is not null)!);
        return results.Where(r => r is not null).ToList()!;
    }

    /// <summary>Writes package paths as "&lt;mdi&gt;/svg/x.svg" and the build folder as "." in messages, so that corpus.json does not depend on where things lie.</summary>
    private sealed class PathNames(IReadOnlyList<(string Source, string Package, string Folder)> packages, string partial)
    {
        private readonly (string Prefix, string Name)[] _roots = packages.Select(p => (Path.GetFullPath(p.Folder), $"<{p.Source}>"))
            .Append((Path.GetFullPath(partial), ".")).OrderByDescending(r => r.Item1.Length).ToArray();

        public string Tidy(string message)
        {
            foreach (var (prefix, name) in _roots)
                message = message.Replace(prefix.TrimEnd(Path.DirectorySeparatorChar), name, StringComparison.Ordinal);
            return message;
        }
    }
}
