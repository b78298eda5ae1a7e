using System.Globalization;

namespace Affect.Search.Index.Tests.Faults;

/// <summary>One fault done to a file of an index folder: what it is, the file it names, and how to do it.</summary>
/// <param name="Name">Short description, used as the test case name.</param>
/// <param name="Mention">What a clear error must name: the file, or "store.sqlite" / "text" for the store and the text index.</param>
/// <param name="Apply">Applies the fault to the index folder.</param>
public sealed record IndexFault(string Name, string Mention, Action<string> Apply)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A small seeded index of every view (views of different and of equal sizes, so that files can be swapped and
/// copied over each other), written in two commits with a delete, the faults done to its files, and what a reader
/// and a writer return from it, so that a fault's outcome can be compared with the un-faulted results.
/// </summary>
internal static class IndexFaults
{
    public static readonly IndexIdentity Identity = new("model-faults", "features-faults", 8);

    private static readonly string[] Words = ["storm", "calm", "sunny", "dark", "thunder", "river", "laugh", "quiet", "fire", "snow"];

    /// <summary>
    /// Builds the index in <paramref name="folder"/>: views full 15, T 12, V 13, VA 13 and A 6 live items;
    /// every item has its own seeded vector per view, so a view's file swapped for another changes the answers.
    /// </summary>
    public static void Build(string folder)
    {
        var random = new Random(20261205);
        var modalities = Enumerable.Repeat("TVA", 6).Concat(Enumerable.Repeat("TV", 4)).Concat(Enumerable.Repeat("V", 3)).Concat(Enumerable.Repeat("T", 2)).ToList();
        var items = modalities.Select((m, i) => Item(random, $"item{i:D2}", m)).ToList();
        using (var writer = MultimodalIndexWriter.Open(folder, Identity))
        {
            foreach (var item in items.Take(10)) writer.Upsert(item);
            writer.Upsert(Item(random, "gone", "TV"));
            writer.Commit("first");
        }
        using (var writer = MultimodalIndexWriter.Open(folder, Identity))
        {
            foreach (var item in items.Skip(10)) writer.Upsert(item);
            writer.Delete("gone");
            writer.Commit("second");
        }
    }

    /// <summary>A new item of the given modalities with a seeded vector per view and seeded text.</summary>
    public static ItemToIndex Item(Random random, string id, string modalities)
    {
        var embeddings = IndexViews.All.Where(v => IndexViews.Contains(v, modalities)).ToDictionary(v => v, _ => Vector(random));
        var text = modalities.Contains('T') ? string.Join(' ', Enumerable.Range(0, 4).Select(_ => Words[random.Next(Words.Length)])) : null;
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["emotion"] = [Words[random.Next(3)]] };
        return new ItemToIndex(new IndexedItem(id, text, labels, new Dictionary<string, string>(), modalities, null), embeddings);
    }

    private static float[] Vector(Random random) => Enumerable.Range(0, Identity.Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    /// <summary>
    /// Every answer a reader gives: top 6 of three seeded queries in each view, and text searches, as lines of
    /// view, query, id and exact score. <paramref name="except"/> is left out (an item a writer added after the fault).
    /// </summary>
    /// <param name="index">The index.</param>
    /// <param name="except">An id to leave out.</param>
    /// <param name="textScores">False to give each word's text hits as a sorted set of ids: a rebuilt text index has no
    /// deleted documents left in its statistics, so its BM25 scores differ slightly from the original's.</param>
    public static List<string> Answers(MultimodalIndex index, string? except = null, bool textScores = true)
    {
        var random = new Random(7);
        var lines = new List<string>();
        foreach (var view in IndexViews.All)
        {
            var queries = Enumerable.Range(0, 3).SelectMany(_ => Vector(random)).ToArray();
            var hits = index.SearchVectors(view, queries, 7);
            for (int q = 0; q < hits.Count; q++)
                lines.AddRange(hits[q].Where(h => h.Item.Id != except).Take(6)
                    .Select(h => $"{view} q{q} {h.Item.Id} {h.Score.ToString("R", CultureInfo.InvariantCulture)} {h.Item.Text}"));
        }
        foreach (var word in Words)
        {
            var hits = index.SearchText(word, 20).Where(h => h.Item.Id != except).ToList();
            if (textScores) lines.AddRange(hits.Select(h => $"text {word} {h.Item.Id} {h.Score.ToString("R", CultureInfo.InvariantCulture)}"));
            else lines.Add($"text {word} {string.Join(' ', hits.Select(h => h.Item.Id).Order(StringComparer.Ordinal))}");
        }
        lines.Add($"items {index.ItemCount - (except is not null && index.Item(except) is not null ? 1 : 0)}");
        return lines;
    }

    /// <summary>The newest vector file of <paramref name="view"/>.</summary>
    public static string VectorFile(string folder, string view)
        => Directory.GetFiles(Path.Combine(folder, "vectors"), $"{view}.g*.faiss").OrderByDescending(IndexLayout.GenerationOfVectorFile).First();

    /// <summary>The oldest vector file of <paramref name="view"/>.</summary>
    public static string OldVectorFile(string folder, string view)
        => Directory.GetFiles(Path.Combine(folder, "vectors"), $"{view}.g*.faiss").OrderBy(IndexLayout.GenerationOfVectorFile).First();

    /// <summary>The newest Lucene commit file (segments_N).</summary>
    public static string SegmentsFile(string folder)
        // N is base 36 in lower case: a longer N is larger, and equal lengths sort ordinally.
        => Directory.GetFiles(Path.Combine(folder, "text"), "segments_*").Select(Path.GetFileName)
            .OrderByDescending(n => n!.Length).ThenByDescending(n => n, StringComparer.Ordinal).Select(n => Path.Combine(folder, "text", n!)).First();

    /// <summary>The largest compound segment file of the text index.</summary>
    public static string CompoundFile(string folder)
        => Directory.GetFiles(Path.Combine(folder, "text"), "*.cfs").OrderByDescending(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal).First();

    public static void Truncate(string path, double fraction)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength((long)(stream.Length * fraction));
    }

    /// <summary>Flips (XOR 0xFF) <paramref name="count"/> seeded random bytes at or after <paramref name="from"/> (a fraction of the length).</summary>
    public static void Flip(string path, int count, int seed, double from = 0)
    {
        var bytes = File.ReadAllBytes(path);
        var random = new Random(seed);
        int start = (int)(bytes.Length * from);
        for (int i = 0; i < count; i++) bytes[start + random.Next(bytes.Length - start)] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Overwrites bytes [offset, offset + length) with seeded random bytes.</summary>
    public static void Overwrite(string path, long offset, int length, int seed)
    {
        var garbage = new byte[length];
        new Random(seed).NextBytes(garbage);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(garbage);
    }

    public static void Swap(string a, string b)
    {
        var temp = a + ".swap";
        File.Move(a, temp);
        File.Move(b, a);
        File.Move(temp, b);
    }

    /// <summary>Every fault of the suite. Store page faults are listed by <see cref="StorePageFaults"/> (they depend on the file's size).</summary>
    public static IEnumerable<IndexFault> All()
    {
        string Store(string f) => Path.Combine(f, "store.sqlite");
        yield return new("store.sqlite truncated to half", "store.sqlite", f => Truncate(Store(f), 0.5));
        yield return new("store.sqlite truncated to its first page", "store.sqlite", f => Truncate(Store(f), 4096.0 / new FileInfo(Store(f)).Length));
        yield return new("store.sqlite emptied", "store.sqlite", f => Truncate(Store(f), 0));
        yield return new("store.sqlite header overwritten", "store.sqlite", f => Overwrite(Store(f), 0, 100, 1));
        yield return new("store.sqlite 4000 bytes flipped", "store.sqlite", f => Flip(Store(f), 4000, 2));
        yield return new("store.sqlite deleted", "store.sqlite", f => File.Delete(Store(f)));

        yield return new("full vectors truncated to half", "full.g2.faiss", f => Truncate(VectorFile(f, "full"), 0.5));
        yield return new("full vectors emptied", "full.g2.faiss", f => Truncate(VectorFile(f, "full"), 0));
        yield return new("full vectors header overwritten", "full.g2.faiss", f => Overwrite(VectorFile(f, "full"), 0, 64, 3));
        yield return new("full vectors 4000 bytes flipped", "full.g2.faiss", f => Flip(VectorFile(f, "full"), 4000, 4));
        yield return new("full vectors 1 byte of a vector flipped", "full.g2.faiss", f => Flip(VectorFile(f, "full"), 1, 5, from: 0.9));
        yield return new("V and VA vectors swapped (equal size)", "V.g2.faiss", f => Swap(VectorFile(f, "V"), VectorFile(f, "VA")));
        yield return new("T vectors copied over full", "full.g2.faiss", f => File.Copy(VectorFile(f, "T"), VectorFile(f, "full"), overwrite: true));
        yield return new("V vectors copied over VA (equal size)", "VA.g2.faiss", f => File.Copy(VectorFile(f, "V"), VectorFile(f, "VA"), overwrite: true));
        yield return new("full vectors replaced by the previous generation's", "full.g2.faiss", f => File.Copy(OldVectorFile(f, "full"), VectorFile(f, "full"), overwrite: true));
        yield return new("full vectors deleted", "full.g2.faiss", f => File.Delete(VectorFile(f, "full")));

        yield return new("text segments_N truncated to half", "text", f => Truncate(SegmentsFile(f), 0.5));
        yield return new("text segments_N emptied", "text", f => Truncate(SegmentsFile(f), 0));
        yield return new("text segments_N deleted", "text", f => File.Delete(SegmentsFile(f)));
        yield return new("text .cfs bytes flipped", "text", f => Flip(CompoundFile(f), 40, 6, from: 0.2));
        yield return new("text .cfs truncated", "text", f => Truncate(CompoundFile(f), 0.6));
        yield return new("text folder deleted", "text", f => Directory.Delete(Path.Combine(f, "text"), recursive: true));
    }

    /// <summary>Each page of store.sqlite but the first (the header's) overwritten with seeded random bytes, one fault per page.</summary>
    public static IEnumerable<IndexFault> StorePageFaults(string folder)
    {
        long pages = new FileInfo(Path.Combine(folder, "store.sqlite")).Length / 4096;
        for (long page = 1; page < pages; page++)
        {
            long p = page;
            yield return new($"store.sqlite page {p + 1} of {pages} overwritten", "store.sqlite", f => Overwrite(Path.Combine(f, "store.sqlite"), p * 4096, 4096, (int)p));
        }
    }

    /// <summary>
    /// What a reader makes of the faulted folder: "error: ..." for an exception (its type and message),
    /// "same" for exactly the un-faulted <paramref name="baseline"/>, or "WRONG: ..." for anything else.
    /// </summary>
    public static string ReaderOutcome(string folder, List<string> baseline)
    {
        try
        {
            using var index = MultimodalIndex.Open(folder);
            var answers = Answers(index);
            return answers.SequenceEqual(baseline) ? "same" : $"WRONG: {FirstDifference(baseline, answers)}";
        }
        catch (Exception e) { return $"error: {e.GetType().Name}: {e.Message}"; }
    }

    /// <summary>
    /// What a writer makes of it: "error: ..." when it refuses to open or commit, else it adds one item and
    /// commits, and a reader must then give the un-faulted answers plus that item ("same"), not fail or differ.
    /// </summary>
    public static string WriterOutcome(string folder, List<string> baseline)
    {
        try
        {
            using (var writer = MultimodalIndexWriter.Open(folder, Identity))
            {
                writer.Upsert(Item(new Random(99), "added", "VA")); // no text: the BM25 statistics, and so the text scores, stay as they were
                writer.Commit("after the fault");
            }
        }
        catch (Exception e) { return $"error: {e.GetType().Name}: {e.Message}"; }
        try
        {
            using var index = MultimodalIndex.Open(folder);
            var answers = Answers(index, except: "added");
            return answers.SequenceEqual(baseline) ? "same" : $"WRONG after commit: {FirstDifference(baseline, answers)}";
        }
        catch (Exception e) { return $"WRONG: committed, then readers fail: {e.GetType().Name}: {e.Message}"; }
    }

    private static string FirstDifference(List<string> expected, List<string> actual)
    {
        int i = 0;
        while (i < expected.Count && i < actual.Count && expected[i] == actual[i]) i++;
        return $"{actual.Count} answers for {expected.Count}; at {i}: expected '{(i < expected.Count ? expected[i] : "end")}', got '{(i < actual.Count ? actual[i] : "end")}'";
    }

    /// <summary>Whether an outcome is acceptable: the un-faulted answers, or a clear error (an expected type, not a crash) naming <paramref name="mention"/>.</summary>
    public static bool Acceptable(string outcome, string mention)
        => outcome == "same"
           || (outcome.StartsWith("error: InvalidDataException:", StringComparison.Ordinal) || outcome.StartsWith("error: DirectoryNotFoundException:", StringComparison.Ordinal))
              && outcome.Contains(mention, StringComparison.Ordinal);
}
