using Affect.Search.Index.Tests.Text;
using Microsoft.Data.Sqlite;

namespace Affect.Search.Index.Tests.Faults;

/// <summary>
/// <see cref="IndexCheck"/> reports every fault of the suite that changes what the index answers, naming the file,
/// and <see cref="IndexRebuild"/> repairs every fault that left the store intact; indexes made before vector files
/// were checksummed still open, are checked against the stored embeddings, and get checksums from a rebuild.
/// </summary>
public sealed class IndexCheckAndRebuildTests
{
    public static TheoryData<IndexFault> Faults() => new(IndexFaults.All());

    [Fact]
    public void A_healthy_index_checks_healthy()
    {
        using var dir = new TempIndexDirectory();
        IndexFaults.Build(dir.Path);
        var report = IndexCheck.Run(dir.Path);
        Assert.True(report.Healthy, string.Join("\n", report.Problems));
        Assert.Empty(report.Notes);
        Assert.Equal(2, report.Generation);
        Assert.Equal(15, report.Items);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Check_reports_a_fault_that_readers_see_and_rebuild_repairs_it_when_the_store_is_intact(IndexFault fault)
    {
        using var dir = new TempIndexDirectory();
        IndexFaults.Build(dir.Path);
        List<string> baseline, comparable;
        using (var index = MultimodalIndex.Open(dir.Path))
        {
            baseline = IndexFaults.Answers(index);
            comparable = IndexFaults.Answers(index, textScores: false);
        }
        fault.Apply(dir.Path);
        var reader = IndexFaults.ReaderOutcome(dir.Path, baseline);
        var report = IndexCheck.Run(dir.Path);
        if (reader != "same")
        {
            Assert.False(report.Healthy, $"check found nothing after '{fault.Name}', which readers see: {reader}");
            Assert.Contains(report.Problems, p => p.File.Contains(fault.Mention, StringComparison.Ordinal) || p.Problem.Contains(fault.Mention, StringComparison.Ordinal));
        }
        if (fault.Mention == "store.sqlite")
        {
            // The store is the source a rebuild reads: a damaged one is refused, never rebuilt from.
            var refused = Record.Exception(() => IndexRebuild.Run(dir.Path));
            Assert.True(refused is InvalidDataException or DirectoryNotFoundException, $"rebuild after '{fault.Name}': {refused}");
            Assert.Contains("store.sqlite", refused!.Message);
            return;
        }
        var rebuilt = IndexRebuild.Run(dir.Path);
        Assert.Equal(3, rebuilt.Generation);
        var after = IndexCheck.Run(dir.Path);
        Assert.True(after.Healthy, string.Join("\n", after.Problems));
        using (var index = MultimodalIndex.Open(dir.Path))
            Assert.Equal(comparable, IndexFaults.Answers(index, textScores: false));
        // And a writer carries on from the rebuilt generation.
        using (var writer = MultimodalIndexWriter.Open(dir.Path, IndexFaults.Identity))
        {
            writer.Upsert(IndexFaults.Item(new Random(3), "later", "TV"));
            Assert.Equal(4, writer.Commit());
        }
        Assert.True(IndexCheck.Run(dir.Path).Healthy);
    }

    [Fact]
    public void An_index_made_before_checksums_opens_is_checked_against_the_stored_embeddings_and_rebuild_records_them()
    {
        using var dir = new TempIndexDirectory();
        IndexFaults.Build(dir.Path);
        List<string> baseline;
        using (var index = MultimodalIndex.Open(dir.Path)) baseline = IndexFaults.Answers(index, textScores: false);
        DropChecksumColumns(dir.Path);

        using (var index = MultimodalIndex.Open(dir.Path)) Assert.Equal(baseline, IndexFaults.Answers(index, textScores: false));
        var legacy = IndexCheck.Run(dir.Path);
        Assert.True(legacy.Healthy, string.Join("\n", legacy.Problems));
        Assert.Contains(legacy.Notes, n => n.Contains("predates vector file checksums", StringComparison.Ordinal));

        // Without checksums, equal-size files swapped are not seen at open, but check compares every vector with the store.
        IndexFaults.Swap(IndexFaults.VectorFile(dir.Path, "V"), IndexFaults.VectorFile(dir.Path, "VA"));
        var swapped = IndexCheck.Run(dir.Path);
        Assert.Contains(swapped.Problems, p => p.File == "vectors/V.g2.faiss" && p.Problem.Contains("differ from the embeddings stored", StringComparison.Ordinal));
        Assert.Contains(swapped.Problems, p => p.File == "vectors/VA.g2.faiss");

        IndexRebuild.Run(dir.Path);
        var repaired = IndexCheck.Run(dir.Path);
        Assert.True(repaired.Healthy, string.Join("\n", repaired.Problems));
        Assert.Empty(repaired.Notes);
        using (var index = MultimodalIndex.Open(dir.Path)) Assert.Equal(baseline, IndexFaults.Answers(index, textScores: false));
    }

    [Fact]
    public void A_writer_opening_an_index_made_before_checksums_records_them_for_the_views_it_rewrites()
    {
        using var dir = new TempIndexDirectory();
        IndexFaults.Build(dir.Path);
        DropChecksumColumns(dir.Path);
        using (var writer = MultimodalIndexWriter.Open(dir.Path, IndexFaults.Identity))
        {
            writer.Upsert(IndexFaults.Item(new Random(5), "text-only", "T"));
            writer.Commit();
        }
        var report = IndexCheck.Run(dir.Path);
        Assert.True(report.Healthy, string.Join("\n", report.Problems));
        // full and T were rewritten with checksums; V, A and VA are as they were.
        Assert.DoesNotContain(report.Notes, n => n.Contains("vectors/T.g3.faiss") || n.Contains("vectors/full.g3.faiss"));
        Assert.Contains(report.Notes, n => n.Contains("vectors/V.g2.faiss", StringComparison.Ordinal));
    }

    [Fact]
    public void An_index_path_that_names_a_file_is_refused_clearly_by_readers_writers_check_and_rebuild()
    {
        using var dir = new TempIndexDirectory();
        Directory.CreateDirectory(dir.Path);
        var file = Path.Combine(dir.Path, "not-a-folder");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file, not an index folder", Assert.Throws<InvalidDataException>(() => MultimodalIndex.Open(file)).Message);
        Assert.Contains("is a file, not an index folder", Assert.Throws<InvalidDataException>(() => MultimodalIndexWriter.Open(file, IndexFaults.Identity)).Message);
        Assert.Contains("is a file, not an index folder", Assert.Throws<InvalidDataException>(() => IndexRebuild.Run(file)).Message);
        Assert.False(IndexCheck.Run(file).Healthy);
        Assert.Equal("x", File.ReadAllText(file));
    }

    /// <summary>Makes the store look like one written before vector file checksums (schema 1 without the columns).</summary>
    private static void DropChecksumColumns(string folder)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "store.sqlite"), Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "ALTER TABLE views DROP COLUMN sha256; ALTER TABLE views DROP COLUMN bytes;";
        command.ExecuteNonQuery();
    }
}
