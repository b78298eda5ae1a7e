using Affect.Search.Model.Training;
using Spectre.Console;

namespace Affect.Search.Cli.Output;

/// <summary>
/// Shows training events as progress bars on standard error (so --json output on standard output stays
/// clean) and appends each event to a JSON Lines log.
/// </summary>
public sealed class TrainingProgress
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Runs <paramref name="work"/>, handing it the event sink.</summary>
    public T Run<T>(TrainingLog log, Func<Action<TrainingEvent>, T> work)
    {
        T result = default!;
        _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work(e =>
                {
                    log.Write(e);
                    if (e.Stage == "info")
                    {
                        if (e.Message is not null) _console.MarkupLine($"[grey]{Markup.Escape(e.Message)}[/]");
                        return;
                    }
                    if (e.Stage == "warning")
                    {
                        _console.MarkupLine($"[yellow]warning: {Markup.Escape(e.Message ?? e.Layer)}[/]");
                        return;
                    }
                    if (e.Epochs == 0) return; // figures without epochs ("activity") go to the log only
                    string key = $"{e.Stage} {e.Layer}";
                    if (!tasks.TryGetValue(key, out var task))
                        tasks[key] = task = ctx.AddTask(Markup.Escape(key), maxValue: e.Epochs);
                    task.Value = e.Epoch;
                    var error = e.Metrics.TryGetValue("reconstructionError", out var r) ? r : e.Metrics.GetValueOrDefault("reconstructionErrorTrain", double.NaN);
                    task.Description = Markup.Escape($"{key}  recon {error:G4}");
                });
            });
        return result;
    }
}
