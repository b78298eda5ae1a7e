using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Engine.Search;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect describe`: video-to-text lookup: the texts nearest a video, image or sound, and the words the model infers for it.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var image = new Option<FileInfo?>("--image") { Description = "image to describe" };
        var audio = new Option<FileInfo?>("--audio") { Description = "audio to describe" };
        var video = new Option<FileInfo?>("--video") { Description = "video to describe" };
        var k = PageOptions.K(10, "nearest texts");
        var words = new Option<int>("--words") { Description = "inferred words", DefaultValueFactory = _ => 10 };
        var index = IndexLocation.IndexOption();
        var model = IndexLocation.ModelOption();
        var backend = new Option<string?>("--backend") { Description = BackendChoice.Description };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("describe", "video-to-text lookup: nearest texts (the T view) and inferred words") { image, audio, video, k, words, index, model, backend, json };
        command.SetAction(parse =>
        {
            var query = new Query(null, parse.GetValue(image)?.FullName, parse.GetValue(audio)?.FullName, parse.GetValue(video)?.FullName);
            if (query.IsEmpty) throw new ArgumentException("give --video, --image or --audio");
            if (parse.GetValue(words) < 0) throw new ArgumentException("--words must not be negative");
            using var computeBackend = BackendChoice.Create(parse.GetValue(backend));
            var (opened, folder) = IndexLocation.Open(parse.GetValue(index)!, parse.GetValue(model), computeBackend);
            using var searched = opened;
            using var loaded = folder;
            using var engine = new QueryEngine(loaded, searched);
            var response = engine.Describe(query, parse.GetValue(k), parse.GetValue(words));
            foreach (var w in response.Warnings) TerminalText.WriteError(w);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                query = new { image = query.Image, audio = query.Audio, video = query.Video, modalities = response.QueryModalities },
                words = response.Words.Select(w => new { word = w.Word, probability = w.Probability }),
                db = "T",
                results = response.Results.Select(SearchCommand.Result),
                warnings = response.Warnings,
            }, JsonOutput.Options));
            else
            {
                Console.WriteLine(TerminalText.Escape($"inferred words: {string.Join(", ", response.Words.Select(w => $"{w.Word} ({w.Probability:F3})"))}"));
                SearchCommand.Print(response.Results, explain: false);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
