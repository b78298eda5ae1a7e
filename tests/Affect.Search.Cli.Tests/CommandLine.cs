namespace Affect.Search.Cli.Tests;

/// <summary>Runs the `affect` program in-process, capturing its output. Console redirection is process-wide: use from the "console" collection only.</summary>
internal static class CommandLine
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (Program.Main(args), o.ToString(), e.ToString()); }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
