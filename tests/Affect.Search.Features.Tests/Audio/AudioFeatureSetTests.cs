using Affect.Search.Features.Audio;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Audio;

public sealed class AudioFeatureSetTests
{
    private static readonly Lazy<Codebooks.Codebook> Book = new(() => MfccBagOfWordsFeature.LearnCodebook(
        [Signals.Tone(440), Signals.Tone(2000), Signals.WhiteNoise(), Signals.ClickTrain(500)], 16, seed: 3, framesPerClip: 40));

    [Fact]
    public void The_audio_vector_is_the_MFCC_histogram_followed_by_Audio_Six()
    {
        var set = new AudioFeatureSet(Book.Value);
        Assert.Equal("audio", set.Name);
        Assert.Equal(16 + 6, set.Dimension);
        Assert.Equal(16, set.MfccDimension);
        foreach (var clip in new[] { Signals.Alternating(500, 3000, 1024), Signals.WhiteNoise(seed: 5), Signals.Silence(), new AudioClip(new float[77], 16000) })
        {
            var v = set.Extract(clip);
            Assert.Equal(22, v.Length);
            Assert.All(v, x => Assert.True(float.IsFinite(x)));
            var expected = set.Mfcc.Extract(clip).Concat(set.AudioSix.Extract(clip)).ToArray();
            for (int i = 0; i < v.Length; i++) Assert.Equal(expected[i], v[i], 1e-6);
            Assert.Equal(1.0, v.Take(16).Sum(), 1e-5);
        }
    }
}
