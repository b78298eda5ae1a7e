using System.CommandLine;
using Affect.Search.Cli.Commands;

namespace Affect.Search.Cli;

/// <summary>The `affect` command line. Exit codes: 0 ok, 1 bad input, 2 usage error, 3 internal failure.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Affect.Search: cross-modal emotion retrieval on a multimodal Deep Boltzmann Machine")
        {
            TrainCommand.Create(),
            DemoCommand.Create(),
            ModelInfoCommand.Create(),
            IndexCommand.Create(),
            SearchCommand.Create(),
            DescribeCommand.Create(),
            DeleteCommand.Create(),
            InfoCommand.Create(),
            CheckCommand.Create(),
            RebuildCommand.Create(),
            EvalCommand.Create(),
            ClassifyCommand.Create(),
            CorpusCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"affect: {error.Message}");
            Console.Error.WriteLine("Run 'affect --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"affect: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException)
        {
            // The machine lacks something (OpenBLAS, a CUDA device): say what, without a stack trace.
            Console.Error.WriteLine($"affect: {e.Message}");
            return ExitCodes.Internal;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"affect: internal error: {e}");
            return ExitCodes.Internal;
        }
    }
}

/// <summary>Process exit codes.</summary>
public static class ExitCodes
{
    public const int Ok = 0, BadInput = 1, Usage = 2, Internal = 3;
}
