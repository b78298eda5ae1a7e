using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Engine.Search;
using Affect.Search.Features.Corpus;
using Affect.Search.Index;
using Spectre.Console;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect search`: text, image, audio, video or multimodal queries, one or a batch from a manifest.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var text = new Option<string?>("--text") { Description = "query text" };
        var image = new Option<FileInfo?>("--image") { Description = "query image" };
        var audio = new Option<FileInfo?>("--audio") { Description = "query audio" };
        var video = new Option<FileInfo?>("--video") { Description = "query video" };
        var queries = new Option<FileInfo?>("--queries") { Description = "batch: a manifest (JSON Lines), one query per line; prints one JSON object per line" };
        var db = new Option<string>("--db") { Description = "database view: full, T, V, A or VA", DefaultValueFactory = _ => IndexViews.Full };
        var k = PageOptions.K(20);
        var offset = PageOptions.Offset();
        var filter = new Option<string[]>("--filter") { Description = "field=value (a label kind, id, source or modality); repeat to AND", AllowMultipleArgumentsPerToken = false };
        var hybrid = new Option<bool>("--hybrid") { Description = "fuse with BM25 over the items' text (reciprocal rank fusion)" };
        var explain = new Option<bool>("--explain") { Description = "show each retriever's rank and score" };
        var index = IndexLocation.IndexOption();
        var model = IndexLocation.ModelOption();
        var backend = new Option<string?>("--backend") { Description = BackendChoice.Description };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("search", "search an index") { text, image, audio, video, queries, db, k, offset, filter, hybrid, explain, index, model, backend, json };
        command.SetAction(parse =>
        {
            if (PageOptions.WindowProblem(parse.GetValue(k), parse.GetValue(offset)) is { } window)
            {
                TerminalText.WriteError(window);
                return ExitCodes.Usage;
            }
            var options = new SearchOptions
            {
                Database = IndexViews.Parse(parse.GetValue(db)!),
                K = parse.GetValue(k),
                Offset = parse.GetValue(offset),
                Filter = ItemFilter.Parse(parse.GetValue(filter) ?? []),
                Hybrid = parse.GetValue(hybrid),
            };
            var single = new Query(parse.GetValue(text), parse.GetValue(image)?.FullName, parse.GetValue(audio)?.FullName, parse.GetValue(video)?.FullName);
            var batchFile = parse.GetValue(queries);
            if (batchFile is null && single.IsEmpty) throw new ArgumentException("empty query: give --text, --image, --audio, --video (any combination) or --queries FILE");
            if (batchFile is not null && !single.IsEmpty) throw new ArgumentException("give either a single query or --queries FILE, not both");
            using var computeBackend = BackendChoice.Create(parse.GetValue(backend));
            var (opened, folder) = IndexLocation.Open(parse.GetValue(index)!, parse.GetValue(model), computeBackend);
            using var searched = opened;
            using var loaded = folder;
            using var engine = new QueryEngine(loaded, searched);
            if (batchFile is not null) return Batch(engine, batchFile.FullName, options);
            var response = engine.Search(single, options);
            foreach (var w in response.Warnings) TerminalText.WriteError(w);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(Json(response), JsonOutput.Options));
            else Print(response, parse.GetValue(explain));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int Batch(QueryEngine engine, string path, SearchOptions options)
    {
        var manifest = ManifestReader.Read(path);
        foreach (var error in manifest.Errors) TerminalText.WriteError($"{path}: {error}");
        var batch = manifest.Items.Select(i => new Query(i.Text, i.Image, i.Audio, i.Video, i.Id)).ToList();
        var answers = engine.SearchBatch(batch, options);
        var compact = new JsonSerializerOptions(JsonOutput.Options) { WriteIndented = false };
        int failed = 0;
        foreach (var (response, error) in answers)
        {
            if (error is not null) { TerminalText.WriteError(error); failed++; continue; }
            Console.WriteLine(JsonSerializer.Serialize(Json(response!), compact));
        }
        if (failed + manifest.Errors.Count == 0) return ExitCodes.Ok;
        return failed < answers.Count ? ExitCodes.SomeInputRejected : ExitCodes.BadInput;
    }

    /// <summary>The documented --json schema of a search.</summary>
    internal static object Json(SearchResponse r) => new
    {
        query = new { id = r.Query.Id, text = r.Query.Text, image = r.Query.Image, audio = r.Query.Audio, video = r.Query.Video, modalities = r.QueryModalities },
        db = r.Database,
        results = r.Results.Select(Result),
        warnings = r.Warnings,
    };

    internal static object Result(SearchResult x) => new
    {
        rank = x.Rank, id = x.Id, score = x.Score, text = x.Text, labels = x.Labels, modalities = x.Modalities,
        explain = x.Explain is { } e ? new { vectorRank = e.VectorRank, vectorScore = e.VectorScore, textRank = e.TextRank, textScore = e.TextScore } : null,
    };

    internal static void Print(IReadOnlyList<SearchResult> results, bool explain)
    {
        if (results.Count == 0) { Console.WriteLine("no results"); return; }
        var table = new Table().AddColumns("#", "id", "score", "modalities", "labels", "text");
        if (explain) table.AddColumns("joint rank", "joint score", "BM25 rank", "BM25 score");
        foreach (var r in results)
        {
            var cells = new List<string> { r.Rank.ToString(), r.Id, r.Score.ToString("F4"), r.Modalities,
                string.Join("; ", r.Labels.Select(l => $"{l.Key}={string.Join(",", l.Value)}")), Shorten(r.Text ?? "", 60) };
            if (explain)
                cells.AddRange([r.Explain?.VectorRank?.ToString() ?? "-", r.Explain?.VectorScore?.ToString("F4") ?? "-",
                    r.Explain?.TextRank?.ToString() ?? "-", r.Explain?.TextScore?.ToString("F3") ?? "-"]);
            table.AddRow(cells.Select(c => Markup.Escape(TerminalText.Escape(c))).ToArray());
        }
        StdoutTable.Write(table);
    }

    private static void Print(SearchResponse response, bool explain)
    {
        Console.WriteLine(TerminalText.Escape($"db {response.Database}, query modalities {response.QueryModalities} (the rest inferred)"));
        Print(response.Results, explain);
    }

    private static string Shorten(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
