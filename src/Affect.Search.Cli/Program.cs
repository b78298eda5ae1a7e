using System.CommandLine;
using Affect.Search.Cli.Commands;
using Affect.Search.Cli.Output;
using Affect.Search.Index;

namespace Affect.Search.Cli;

/// <summary>The `affect` command line; see <see cref="ExitCodes"/> for what its exit status means.</summary>
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
            foreach (var error in parsed.Errors) TerminalText.WriteError(error.Message);
            Console.Error.WriteLine("Run 'affect --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (IndexBusyException e)
        {
            TerminalText.WriteError(e.Message);
            return ExitCodes.IndexBusy;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            TerminalText.WriteError(e.Message);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException)
        {
            // The machine lacks something (OpenBLAS, a CUDA device): say what, without a stack trace.
            TerminalText.WriteError(e.Message);
            return ExitCodes.Internal;
        }
        catch (Exception e)
        {
            TerminalText.WriteError($"internal error: {e}");
            return ExitCodes.Internal;
        }
    }
}

/// <summary>
/// Process exit codes: 0 ok; 1 bad input (nothing done: a missing or corrupt file, a bad value, no usable
/// line); 2 usage error (unknown option, a value out of range such as --k 0 or --offset + --k over the result
/// window); 3 internal failure; 4 the index is busy (another process holds its write lock: retry later);
/// 5 done, but some input lines were rejected (<c>affect index</c>: bad manifest lines or items left out, each
/// reported on standard error, the rest indexed; <c>affect search --queries</c>: some queries answered, some not).
/// </summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Bad input: nothing was done.</summary>
    public const int BadInput = 1;
    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 2;
    /// <summary>An internal failure, or the machine lacks something the command needs.</summary>
    public const int Internal = 3;
    /// <summary>Another process is writing the index; nothing was done.</summary>
    public const int IndexBusy = 4;
    /// <summary>The run finished, but some input lines were rejected and reported.</summary>
    public const int SomeInputRejected = 5;
}
