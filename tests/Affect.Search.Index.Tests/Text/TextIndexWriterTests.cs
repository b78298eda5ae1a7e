using Affect.Search.Index.Text;

namespace Affect.Search.Index.Tests.Text;

public sealed class TextIndexWriterTests : IDisposable
{
    private readonly TempIndexDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Ids(TextIndex index, string query) =>
        index.Search(query, 100).Select(h => h.Id).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void GenerationZero_WithNoIndex_IsEmpty()
    {
        using (var index = TextIndex.Open(_dir.Path, 0))
        {
            Assert.Equal(0, index.Count);
            Assert.Equal(0, index.Generation);
            Assert.Empty(index.Search("cat", 5));
        }
        using var writer = TextIndexWriter.Open(_dir.Path, 0);
        Assert.Equal(0, writer.Generation);
        Assert.Equal(0, writer.Count);
    }

    [Fact]
    public void A_commit_file_left_incomplete_by_a_killed_writer_is_dropped_at_the_next_open()
    {
        // The very first commit cut short: nothing was committed, so the next writer starts empty.
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(1);
        }
        var first = System.IO.Path.Combine(_dir.Path, "segments_1");
        Assert.True(File.Exists(first));
        File.WriteAllBytes(first, File.ReadAllBytes(first)[..10]);
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            Assert.Equal(0, writer.Count);
            writer.Upsert("2", "dog");
            writer.Commit(1);
        }
        // A later commit cut short: the writer opens the last complete one.
        var segments = Directory.GetFiles(_dir.Path, "segments_*").Select(System.IO.Path.GetFileName).Single()!;
        long generation = Lucene.Net.Index.SegmentInfos.GenerationFromSegmentsFileName(segments);
        var next = System.IO.Path.Combine(_dir.Path, Lucene.Net.Index.IndexFileNames.FileNameFromGeneration("segments", "", generation + 1));
        File.WriteAllBytes(next, File.ReadAllBytes(System.IO.Path.Combine(_dir.Path, segments))[..10]);
        using (var writer = TextIndexWriter.Open(_dir.Path, 1))
            Assert.Equal(1, writer.Count);
        using var index = TextIndex.Open(_dir.Path, 1);
        Assert.Equal(["2"], Ids(index, "dog"));
    }

    [Fact]
    public void A_reader_opens_the_last_complete_commit_beside_an_incomplete_newer_one_and_leaves_it_alone()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(1);
            writer.Upsert("2", "dog");
            writer.Commit(2);
        }
        var newest = Directory.GetFiles(_dir.Path, "segments_*").Select(System.IO.Path.GetFileName)
            .MaxBy(f => Lucene.Net.Index.SegmentInfos.GenerationFromSegmentsFileName(f))!;
        long generation = Lucene.Net.Index.SegmentInfos.GenerationFromSegmentsFileName(newest);
        // What a writer killed while writing its third commit's segments file leaves behind.
        var cut = System.IO.Path.Combine(_dir.Path, Lucene.Net.Index.IndexFileNames.FileNameFromGeneration("segments", "", generation + 1));
        File.WriteAllBytes(cut, File.ReadAllBytes(System.IO.Path.Combine(_dir.Path, newest))[..10]);

        using (var index = TextIndex.Open(_dir.Path, 2)) Assert.Equal(["1", "2"], Ids(index, "cat dog"));
        using (var index = TextIndex.Open(_dir.Path, 1)) Assert.Equal(["1"], Ids(index, "cat dog"));
        Assert.True(File.Exists(cut), "a reader must not change the index folder");
    }

    [Fact]
    public void Upsert_ReplacesDocumentWithSameId()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Upsert("2", "cat");
            writer.Commit(1);
            writer.Upsert("1", "dog");
            Assert.Equal(2, writer.Count);
            writer.Commit(2);
        }
        using var index = TextIndex.Open(_dir.Path, 2);
        Assert.Equal(2, index.Count);
        Assert.Equal(["2"], Ids(index, "cat"));
        Assert.Equal(["1"], Ids(index, "dog"));
    }

    [Fact]
    public void Delete_RemovesDocument()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Upsert("2", "cat");
            writer.Commit(1);
            writer.Delete("1");
            writer.Delete("absent");
            Assert.Equal(1, writer.Count);
            writer.Commit(2);
        }
        using var index = TextIndex.Open(_dir.Path, 2);
        Assert.Equal(1, index.Count);
        Assert.Equal(["2"], Ids(index, "cat"));
    }

    [Fact]
    public void Count_IncludesUncommittedChanges()
    {
        using var writer = TextIndexWriter.Open(_dir.Path, 0);
        writer.Upsert("1", "a cat");
        writer.Upsert("2", "a dog");
        Assert.Equal(2, writer.Count);
        writer.Upsert("2", "a bird");
        writer.Delete("1");
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void CommitGeneration_RoundTrips()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(7);
            Assert.Equal(7, writer.Generation);
        }
        using (var writer = TextIndexWriter.Open(_dir.Path, 7))
        {
            Assert.Equal(7, writer.Generation);
            Assert.Equal(1, writer.Count);
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.Commit(7));
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.Commit(3));
            writer.Commit(8); // no document changes: the generation is still committed
        }
        using var index = TextIndex.Open(_dir.Path, 8);
        Assert.Equal(8, index.Generation);
        Assert.Equal(["1"], Ids(index, "cat"));
    }

    [Fact]
    public void Dispose_DiscardsUncommittedChanges()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(1);
            writer.Upsert("2", "cat");
            writer.Delete("1");
        }
        using (var writer = TextIndexWriter.Open(_dir.Path, 1))
            Assert.Equal(1, writer.Count);
        using var index = TextIndex.Open(_dir.Path, 1);
        Assert.Equal(["1"], Ids(index, "cat"));
    }

    [Fact]
    public void OpeningOlderGeneration_RollsBackNewerCommit()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(1);
            writer.Upsert("2", "cat");
            writer.Delete("1");
            writer.Commit(2);
        }

        // Before the rollback both generations are readable, each exactly as committed.
        using (var gen1 = TextIndex.Open(_dir.Path, 1))
        using (var gen2 = TextIndex.Open(_dir.Path, 2))
        {
            Assert.Equal(["1"], Ids(gen1, "cat"));
            Assert.Equal(["2"], Ids(gen2, "cat"));
        }

        using (var writer = TextIndexWriter.Open(_dir.Path, 1))
        {
            Assert.Equal(1, writer.Generation);
            Assert.Equal(1, writer.Count);
        }
        // The abandoned generation 2 is gone even though the writer committed nothing.
        Assert.Throws<InvalidDataException>(() => TextIndex.Open(_dir.Path, 2));

        // Generation 2 can be committed again, with new content.
        using (var writer = TextIndexWriter.Open(_dir.Path, 1))
        {
            writer.Upsert("3", "cat");
            writer.Commit(2);
        }
        using var again = TextIndex.Open(_dir.Path, 2);
        Assert.Equal(["1", "3"], Ids(again, "cat"));
    }

    [Fact]
    public void OpeningGenerationZero_RollsBackFirstCommit()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(1);
        }
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            Assert.Equal(0, writer.Count);
        }
        Assert.Throws<InvalidDataException>(() => TextIndex.Open(_dir.Path, 1));
        using var writer2 = TextIndexWriter.Open(_dir.Path, 0);
        writer2.Upsert("2", "dog");
        writer2.Commit(1);
        using var index = TextIndex.Open(_dir.Path, 1);
        Assert.Equal(1, index.Count);
        Assert.Equal(["2"], Ids(index, "dog"));
    }

    [Fact]
    public void MissingGeneration_GivesClearError()
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            writer.Upsert("1", "cat");
            writer.Commit(1);
        }

        var readerError = Assert.Throws<InvalidDataException>(() => TextIndex.Open(_dir.Path, 5));
        var writerError = Assert.Throws<InvalidDataException>(() => TextIndexWriter.Open(_dir.Path, 5));
        foreach (var error in new[] { readerError, writerError })
        {
            Assert.Contains(_dir.Path, error.Message);
            Assert.Contains("generation 5", error.Message);
        }
        // The failed writer open released its lock and left generation 1 intact.
        using var index = TextIndex.Open(_dir.Path, 1);
        Assert.Equal(1, index.Count);

        var missingDir = Path.Combine(_dir.Path, "nope");
        Assert.Contains(missingDir, Assert.Throws<InvalidDataException>(() => TextIndex.Open(missingDir, 1)).Message);
    }

    [Fact]
    public void KeepsLastThreeCommits_AndOldReaderSurvivesNewerCommits()
    {
        using var writer = TextIndexWriter.Open(_dir.Path, 0);
        writer.Upsert("1", "cat");
        writer.Commit(1);
        using var gen1 = TextIndex.Open(_dir.Path, 1);
        for (long g = 2; g <= 5; g++)
        {
            writer.Upsert(g.ToString(), "cat");
            writer.Commit(g);
        }

        Assert.Equal(["1"], Ids(gen1, "cat")); // its files were deleted from the directory but stay readable
        Assert.Throws<InvalidDataException>(() => TextIndex.Open(_dir.Path, 2));
        for (long g = 3; g <= 5; g++)
        {
            using var index = TextIndex.Open(_dir.Path, g);
            Assert.Equal((int)g, index.Count);
        }
    }
}
