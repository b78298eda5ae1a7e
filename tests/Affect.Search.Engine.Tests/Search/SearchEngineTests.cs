using Affect.Search.Compute.Cpu;
using Affect.Search.Engine.Indexing;
using Affect.Search.Engine.Search;
using Affect.Search.Features.Corpus;
using Affect.Search.Index;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Engine.Tests.Search;

/// <summary>
/// End to end on a generated corpus: train the cpu topology without labels, index every item, and query
/// in every mode (text, image, audio, video, multimodal, hybrid, batch, video-to-text).
/// </summary>
public sealed class SearchEngineTests : IClassFixture<SearchEngineTests.IndexedCorpus>
{
    private readonly IndexedCorpus _c;

    public SearchEngineTests(IndexedCorpus corpus) => _c = corpus;

    /// <summary>The small cpu model trained on the whole corpus, which is indexed 10 items a commit.</summary>
    public sealed class IndexedCorpus() : IndexedTestCorpus(commitEvery: 10);

    private static string ClassOf(SearchResult r) => r.Labels["emotion"][0];

    private double Precision(Query query, string expected, string db, int k = 5)
    {
        var results = _c.Engine.Search(query, new SearchOptions { Database = db, K = k }).Results;
        Assert.Equal(k, results.Count);
        return results.Count(r => ClassOf(r) == expected) / (double)k;
    }

    [Fact]
    public void Indexing_stores_every_item_in_every_view_it_belongs_to_over_several_generations()
    {
        int perClass = 15;
        Assert.Equal(3 * perClass, _c.Report.Indexed);
        Assert.Equal(3 * perClass, _c.Index.ItemCount);
        Assert.Equal(5, _c.Report.Generation); // 45 items, 10 per commit
        var views = _c.Index.Views.ToDictionary(v => v.View, v => v.Items);
        Assert.Equal(45, views["full"]);
        Assert.Equal(3 * 12, views["T"]);  // video, image and text items have text
        Assert.Equal(3 * 11, views["V"]);  // videos (with and without text) and images
        Assert.Equal(3 * 9, views["A"]);   // videos and the sound
        Assert.Equal(3 * 12, views["VA"]);
        var silent = _c.Index.Item("joy-silent-0")!;
        Assert.Equal("VA", silent.Modalities);
        Assert.Equal(["joy"], silent.Labels["emotion"]);
    }

    [Fact]
    public void A_text_query_for_a_class_returns_mostly_that_class_in_the_full_and_text_views()
    {
        foreach (var (name, _, _, words) in EmotionTestCorpus.Classes)
        {
            var query = new Query(Text: $"{words[0]} {words[1]}");
            double full = Precision(query, name, "full"), text = Precision(query, name, "T");
            Assert.True(full >= 0.8, $"text '{query.Text}' -> full: precision@5 {full:F2} (corpus seed {_c.Corpus.Seed})");
            Assert.True(text >= 0.8, $"text '{query.Text}' -> T: precision@5 {text:F2} (corpus seed {_c.Corpus.Seed})");
        }
    }

    [Fact]
    public void Cross_modal_queries_beat_chance_by_far()
    {
        // Text against items represented by their pictures and sounds alone, and media against texts alone.
        double textToVideo = EmotionTestCorpus.Classes.Average(c => Precision(new Query(Text: $"{c.Words[0]} {c.Words[2]}"), c.Name, "VA"));
        double videoToText = EmotionTestCorpus.Classes.Average(c => Precision(new Query(Video: _c.Corpus.Media(c.Name, "mp4")), c.Name, "T"));
        double imageToVideo = EmotionTestCorpus.Classes.Average(c => Precision(new Query(Image: _c.Corpus.Media(c.Name, "png")), c.Name, "V"));
        double soundToAll = EmotionTestCorpus.Classes.Average(c => Precision(new Query(Audio: _c.Corpus.Media(c.Name, "ogg")), c.Name, "A"));
        Assert.True(textToVideo >= 0.6, $"text -> VA precision@5 {textToVideo:F2} (chance 0.33)");
        Assert.True(videoToText >= 0.6, $"video -> T precision@5 {videoToText:F2}");
        Assert.True(imageToVideo >= 0.8, $"image -> V precision@5 {imageToVideo:F2}");
        Assert.True(soundToAll >= 0.6, $"audio -> A precision@5 {soundToAll:F2}");
    }

    [Fact]
    public void A_multimodal_query_uses_every_modality_it_has()
    {
        var query = new Query(Text: "storm panic", Video: _c.Corpus.Media("fear", "mp4"));
        var response = _c.Engine.Search(query, new SearchOptions { K = 5 });
        Assert.Equal("TVA", response.QueryModalities);
        Assert.True(response.Results.Count(r => ClassOf(r) == "fear") >= 4);
        Assert.Equal("T", _c.Engine.Search(new Query(Text: "storm")).QueryModalities);
        Assert.Equal("V", _c.Engine.Search(new Query(Image: _c.Corpus.Media("fear", "png"))).QueryModalities);
    }

    [Fact]
    public void Describe_returns_nearby_texts_and_the_class_words_for_a_silent_or_sounding_video()
    {
        foreach (var (name, _, _, words) in EmotionTestCorpus.Classes)
        {
            var described = _c.Engine.Describe(new Query(Video: _c.Corpus.Media(name, "mp4")), k: 5, words: 8);
            Assert.Equal(8, described.Words.Count);
            Assert.All(described.Results, r => Assert.Contains('T', r.Modalities));
            var stems = described.Words.Select(w => w.Word).ToHashSet();
            int classWords = words.Count(w => _c.Index.AnalyzedTerms(w).Any(stems.Contains));
            Assert.True(classWords >= 2, $"{name}: inferred {string.Join(", ", stems)}");
            Assert.True(described.Words.Zip(described.Words.Skip(1)).All(p => p.First.Probability >= p.Second.Probability));
        }
    }

    [Fact]
    public void Hybrid_search_fuses_both_rankings_by_reciprocal_rank_and_explains_them()
    {
        var options = new SearchOptions { K = 10, Hybrid = true };
        var response = _c.Engine.Search(new Query(Text: "thunder"), options);
        Assert.Equal(10, response.Results.Count);
        foreach (var r in response.Results)
        {
            var e = r.Explain!;
            double expected = (e.VectorRank is { } v ? 1.0 / (60 + v) : 0) + (e.TextRank is { } t ? 1.0 / (60 + t) : 0);
            Assert.Equal(expected, r.Score, 5);
        }
        Assert.Contains(response.Results, r => r.Explain!.VectorRank is not null && r.Explain.TextRank is not null);
        Assert.True(response.Results.Zip(response.Results.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        // Every BM25 hit contains the word.
        Assert.All(response.Results.Where(r => r.Explain!.TextRank is not null), r => Assert.Contains("thunder", r.Text));
        var page2 = _c.Engine.Search(new Query(Text: "thunder"), options with { K = 5, Offset = 5 });
        Assert.Equal(response.Results.Skip(5).Select(r => r.Id), page2.Results.Select(r => r.Id));
    }

    [Fact]
    public void Filters_and_pagination_apply_to_engine_queries()
    {
        var query = new Query(Text: "sunny happy");
        var fear = _c.Engine.Search(query, new SearchOptions { K = 5, Filter = ItemFilter.Parse(["emotion=fear"]) });
        Assert.Equal(5, fear.Results.Count);
        Assert.All(fear.Results, r => Assert.Equal("fear", ClassOf(r)));
        var videos = _c.Engine.Search(query, new SearchOptions { K = 30, Filter = ItemFilter.Parse(["modality=VA"]) });
        Assert.NotEmpty(videos.Results);
        Assert.All(videos.Results, r => Assert.True(r.Modalities.Contains('V') && r.Modalities.Contains('A'), r.Id));
        var all = _c.Engine.Search(query, new SearchOptions { K = 12 }).Results.Select(r => r.Id);
        var pages = Enumerable.Range(0, 3).SelectMany(p => _c.Engine.Search(query, new SearchOptions { K = 4, Offset = 4 * p }).Results);
        Assert.Equal(all, pages.Select(r => r.Id));
        Assert.Equal(Enumerable.Range(1, 12), pages.Select(r => r.Rank));
    }

    [Fact]
    public void A_batch_gives_the_same_answers_as_single_queries_and_isolates_bad_ones()
    {
        var queries = new[]
        {
            new Query(Text: "forest quiet", Id: "q1"),
            new Query(Image: _c.Corpus.BrokenImage, Id: "q2"),
            new Query(Video: _c.Corpus.Media("joy", "mp4"), Id: "q3"),
        };
        var answers = _c.Engine.SearchBatch(queries, new SearchOptions { K = 5 });
        Assert.Equal(_c.Engine.Search(queries[0], new SearchOptions { K = 5 }).Results.Select(r => r.Id), answers[0].Response!.Results.Select(r => r.Id));
        Assert.Contains("broken.png", answers[1].Error);
        Assert.Equal(_c.Engine.Search(queries[2], new SearchOptions { K = 5 }).Results.Select(r => (r.Id, r.Score)), answers[2].Response!.Results.Select(r => (r.Id, r.Score)));
    }

    [Fact]
    public void Bad_queries_give_clear_errors_or_a_documented_empty_result()
    {
        Assert.Contains("empty", Assert.Throws<QueryException>(() => _c.Engine.Search(new Query())).Message);
        Assert.Contains("does not exist", Assert.Throws<QueryException>(() => _c.Engine.Search(new Query(Image: "/no/such.png"))).Message);
        Assert.Contains("broken.png", Assert.Throws<QueryException>(() => _c.Engine.Search(new Query(Image: _c.Corpus.BrokenImage))).Message);
        var unknown = Assert.Throws<QueryException>(() => _c.Engine.Search(new Query(Text: "xylophone zeppelin")));
        Assert.Contains("outside the vocabulary", unknown.Message);
        // Hybrid search answers such a query from BM25 alone: no word matches, so the result is empty.
        var hybrid = _c.Engine.Search(new Query(Text: "xylophone zeppelin"), new SearchOptions { Hybrid = true });
        Assert.Empty(hybrid.Results);
        Assert.Contains(hybrid.Warnings, w => w.Contains("outside the vocabulary"));
        // Known and unknown words: the unknown ones are reported and ignored.
        var mixed = _c.Engine.Search(new Query(Text: "storm xylophone"));
        Assert.Contains(mixed.Warnings, w => w.Contains("xylophon"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _c.Engine.Search(new Query(Text: "storm"), new SearchOptions { K = 0 }));
    }

    [Fact]
    public void Pages_beyond_the_search_limits_are_refused_without_overflow_and_a_whole_window_is_cheap()
    {
        var storm = new Query(Text: "storm");
        var overflow = Assert.Throws<ArgumentOutOfRangeException>(() => _c.Engine.Search(storm, new SearchOptions { Offset = int.MaxValue }));
        Assert.Contains($"offset + k must be at most {SearchLimits.MaxResultWindow}", overflow.Message);
        Assert.Contains($"between 1 and {SearchLimits.MaxK}", Assert.Throws<ArgumentOutOfRangeException>(
            () => _c.Engine.Search(storm, new SearchOptions { K = 300_000_000 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _c.Engine.Search(storm, new SearchOptions { K = int.MaxValue, Hybrid = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _c.Engine.Describe(new Query(Video: _c.Corpus.Media("fear", "mp4")), k: SearchLimits.MaxK + 1));
        // The deepest page allowed, vector and hybrid: empty past the corpus, not an error.
        var last = new SearchOptions { K = SearchLimits.MaxK, Offset = SearchLimits.MaxResultWindow - SearchLimits.MaxK };
        Assert.Empty(_c.Engine.Search(storm, last).Results);
        Assert.Empty(_c.Engine.Search(storm, last with { Hybrid = true }).Results);
        Assert.NotEmpty(_c.Engine.Search(storm, new SearchOptions { K = SearchLimits.MaxK, Hybrid = true }).Results);
    }

    [Fact]
    public void A_directory_or_a_named_pipe_as_query_media_is_refused_by_name_at_once()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_c.Corpus.Folder, "folder.png")).FullName;
        var directory = Assert.Throws<QueryException>(() => _c.Engine.Search(new Query(Image: folder)));
        Assert.Contains("is a directory, not a regular file", directory.Message);
        if (OperatingSystem.IsWindows()) return;
        var fifo = Path.Combine(_c.Corpus.Folder, "pipe.mp4");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        var search = Task.Run(() => Assert.Throws<QueryException>(() => _c.Engine.Search(new Query(Video: fifo))));
        if (!search.Wait(TimeSpan.FromSeconds(30)))
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // releases a reader stuck opening it
            Assert.Fail("a query video that is a named pipe blocked the search");
        }
        Assert.Contains("is not a regular file (a named pipe)", search.Result.Message);
    }

    [Fact]
    public void An_index_built_with_another_model_is_refused_by_the_query_engine()
    {
        var other = Path.Combine(_c.Corpus.Folder, "other-model");
        Directory.CreateDirectory(other);
        File.Copy(ModelFolder.ModelPath(_c.ModelPath), ModelFolder.ModelPath(other));
        // Same model, re-saved feature space with different bytes: a different input space.
        File.WriteAllText(Path.Combine(other, ModelFolder.FeatureSpaceFileName), File.ReadAllText(Path.Combine(_c.ModelPath, ModelFolder.FeatureSpaceFileName)) + "\n");
        using var model = ModelFolder.Load(other, new CpuBackend());
        var e = Assert.Throws<InvalidDataException>(() => new QueryEngine(model, _c.Index));
        Assert.Contains("feature space", e.Message);
    }
}
