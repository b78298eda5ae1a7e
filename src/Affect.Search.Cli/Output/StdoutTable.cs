using Spectre.Console;
using Spectre.Console.Rendering;

namespace Affect.Search.Cli.Output;

/// <summary>Writes tables to the current standard output (which tests and pipes may redirect).</summary>
public static class StdoutTable
{
    /// <summary>Renders <paramref name="renderable"/>; when the output is not a terminal it is at least 160 columns wide, so piped tables do not wrap.</summary>
    public static void Write(IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 160);
        console.Write(renderable);
    }
}
