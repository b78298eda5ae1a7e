using Affect.Search.Engine.Search;
using Affect.Search.Index;

namespace Affect.Search.Engine.Tests.Search;

/// <summary>
/// A model whose text pathway reads the minilm sentence embedding beside the word counts (issue 11): a text query
/// whose words are all outside the vocabulary is embedded through minilm instead of being refused, as the word
/// counts alone would have it (SearchEngineTests checks the refusal).
/// </summary>
public sealed class SentenceEmbeddingQueryTests : IClassFixture<SentenceEmbeddingQueryTests.SentenceModel>
{
    private readonly SentenceModel _c;

    public SentenceEmbeddingQueryTests(SentenceModel model) => _c = model;

    /// <summary>The small-batch cpu topology with a minilm feature in the text pathway.</summary>
    private const string Config = """
        { "name": "cpu-small-batches-minilm", "jointSize": 64, "seed": 3,
          "modalities": [
            { "name": "visual", "jointSize": 64, "features": [
              { "name": "gist", "hidden": [48, 32] }, { "name": "hog", "hidden": [48, 32] } ] },
            { "name": "audio", "features": [ { "name": "audio", "hidden": [48, 32] } ] },
            { "name": "text", "jointSize": 48, "features": [
              { "name": "text", "visible": "replicated-softmax", "documentLength": 5, "hidden": [64, 32] },
              { "name": "minilm", "visible": "gaussian", "hidden": [48, 32] } ] } ],
          "pretraining": { "epochs": 30, "batchSize": 6, "learningRate": 0.05, "gaussianLearningRate": 0.005 },
          "jointTraining": { "epochs": 5, "batchSize": 6, "chains": 12, "gibbsSweeps": 5, "learningRate": 0.002 },
          "inferenceIterations": 1, "standardiseEmbeddings": true }
        """;

    public sealed class SentenceModel() : IndexedTestCorpus(Config);

    [Fact]
    public void A_query_of_words_outside_the_vocabulary_is_embedded_through_minilm_and_says_its_word_counts_were_left_out()
    {
        var response = _c.Engine.Search(new Query(Text: "xylophone zeppelin"), new SearchOptions { Database = IndexViews.Full, K = 10 });
        Assert.Equal("T", response.QueryModalities);
        Assert.Equal(10, response.Results.Count);
        Assert.Contains(response.Warnings, w => w.Contains("outside the vocabulary") && w.Contains("word counts are left out"));
        Assert.All(response.Results, r => Assert.True(float.IsFinite(r.Score)));
    }

    [Fact]
    public void Different_texts_outside_the_vocabulary_get_different_embeddings()
    {
        // Were the text dropped, both queries would be the same empty-text state and score every item alike.
        var a = _c.Engine.Search(new Query(Text: "xylophone zeppelin"), new SearchOptions { Database = IndexViews.Full, K = 30 });
        var b = _c.Engine.Search(new Query(Text: "marmalade avalanche volcano"), new SearchOptions { Database = IndexViews.Full, K = 30 });
        var scoresA = a.Results.ToDictionary(r => r.Id, r => r.Score);
        var scoresB = b.Results.ToDictionary(r => r.Id, r => r.Score);
        var shared = scoresA.Keys.Intersect(scoresB.Keys).ToList();
        Assert.NotEmpty(shared);
        Assert.Contains(shared, id => Math.Abs(scoresA[id] - scoresB[id]) > 1e-3f);
    }

    [Fact]
    public void A_known_word_query_still_uses_its_word_counts()
    {
        var response = _c.Engine.Search(new Query(Text: "sunny happy smile"), new SearchOptions { Database = IndexViews.Full, K = 5 });
        Assert.Equal("T", response.QueryModalities);
        Assert.DoesNotContain(response.Warnings, w => w.Contains("outside the vocabulary"));
        Assert.Equal(5, response.Results.Count);
    }
}
