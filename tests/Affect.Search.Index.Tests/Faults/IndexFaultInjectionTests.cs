using Affect.Search.Index.Tests.Text;
using Xunit.Abstractions;

namespace Affect.Search.Index.Tests.Faults;

/// <summary>
/// Each file of an index truncated, flipped, overwritten, swapped, copied over another or deleted: a reader must
/// then give either exactly the un-faulted answers or a clear error naming the file, and so must a writer, which
/// must never carry the fault into a new generation (after its commit, readers still give the un-faulted answers).
/// </summary>
public sealed class IndexFaultInjectionTests(ITestOutputHelper output)
{
    public static TheoryData<IndexFault> Faults() => new(IndexFaults.All());

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_fault_is_a_clear_error_or_harmless_for_readers_and_writers(IndexFault fault)
    {
        using var dir = new TempIndexDirectory();
        IndexFaults.Build(dir.Path);
        var baseline = Baseline(dir.Path);
        fault.Apply(dir.Path);
        var reader = IndexFaults.ReaderOutcome(dir.Path, baseline);
        var writer = IndexFaults.WriterOutcome(dir.Path, baseline);
        output.WriteLine($"{fault.Name}\n  reader: {reader}\n  writer: {writer}");
        Assert.True(IndexFaults.Acceptable(reader, fault.Mention), $"reader after '{fault.Name}': {reader}");
        Assert.True(IndexFaults.Acceptable(writer, fault.Mention), $"writer after '{fault.Name}': {writer}");
    }

    [Fact]
    public void Every_page_of_the_store_overwritten_is_a_clear_error_or_harmless()
    {
        using var dir = new TempIndexDirectory();
        IndexFaults.Build(dir.Path);
        var pristine = dir.Path + ".pristine";
        CopyFolder(dir.Path, pristine);
        try
        {
            var baseline = Baseline(dir.Path);
            var failures = new List<string>();
            foreach (var fault in IndexFaults.StorePageFaults(pristine))
            {
                Directory.Delete(dir.Path, recursive: true);
                CopyFolder(pristine, dir.Path);
                fault.Apply(dir.Path);
                var reader = IndexFaults.ReaderOutcome(dir.Path, baseline);
                var writer = IndexFaults.WriterOutcome(dir.Path, baseline);
                output.WriteLine($"{fault.Name}\n  reader: {reader}\n  writer: {writer}");
                if (!IndexFaults.Acceptable(reader, fault.Mention)) failures.Add($"reader after '{fault.Name}': {reader}");
                if (!IndexFaults.Acceptable(writer, fault.Mention)) failures.Add($"writer after '{fault.Name}': {writer}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally { Directory.Delete(pristine, recursive: true); }
    }

    private static List<string> Baseline(string folder)
    {
        using var index = MultimodalIndex.Open(folder);
        return IndexFaults.Answers(index);
    }

    internal static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
