using Spectre.Console;

namespace Affect.Search.Cli.Output;

/// <summary>Progress bars on standard error, so that --json output on standard output stays clean.</summary>
public static class StderrProgress
{
    /// <summary>The console that writes to standard error.</summary>
    public static readonly IAnsiConsole Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });

    /// <summary>Runs <paramref name="work"/> with one progress bar named <paramref name="description"/>; the work sets its value and maximum.</summary>
    public static T Run<T>(string description, Func<ProgressTask, T> work)
    {
        T result = default!;
        Console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => result = work(ctx.AddTask(Markup.Escape(description))));
        return result;
    }
}
