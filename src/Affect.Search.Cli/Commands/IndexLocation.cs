using System.CommandLine;
using Affect.Search.Compute;
using Affect.Search.Engine;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>The --index and --model options shared by the commands that use an index.</summary>
internal static class IndexLocation
{
    /// <summary>The embedded default index location.</summary>
    public const string DefaultIndex = "index/default";

    public static Option<string> IndexOption() => new("--index") { Description = "index folder", DefaultValueFactory = _ => DefaultIndex };

    public static Option<string?> ModelOption() => new("--model") { Description = "model folder (default: the one the index was built with)" };

    /// <summary>Opens the index and the model to query it with: the given folder, or the one recorded when the index was built.</summary>
    public static (MultimodalIndex Index, ModelFolder Model) Open(string indexFolder, string? modelFolder, IComputeBackend backend)
    {
        var index = MultimodalIndex.Open(indexFolder);
        try
        {
            var folder = modelFolder ?? index.ModelFolder
                ?? throw new ArgumentException($"index '{index.Folder}' does not record its model folder: give --model");
            return (index, ModelFolder.Load(folder, backend));
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }
}
