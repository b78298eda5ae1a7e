using Affect.Search.Features.Decoding;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Media;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Affect.Search.Features.Tests.Deep;

public sealed class ResNet18FeaturesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-resnet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class ImageRow
    {
        public string Path { get; set; } = "";
    }

    private sealed class FeatureRow
    {
        [ColumnName("Features")] public float[] Features { get; set; } = [];
    }

    [Fact]
    public void Features_equal_what_MlNets_DnnImageFeaturizer_pipeline_gives_for_the_same_images()
    {
        // 224x224 pictures, so ML.NET's resize is the identity and the comparison is of the networks and
        // their preprocessing alone.
        var images = Enumerable.Range(1, 3).Select(s => DeepTestImages.Picture(s)).ToList();
        var paths = images.Select((image, i) => System.IO.Path.Combine(_folder, $"picture{i}.bmp")).ToList();
        for (int i = 0; i < images.Count; i++) DeepTestImages.WriteBmp(images[i], paths[i]);

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { Path = p }));
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImageRow.Path))
            .Append(ml.Transforms.ResizeImages("Image", ResNet18Features.InputSize, ResNet18Features.InputSize, "Image"))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"));
        var reference = ml.Data.CreateEnumerable<FeatureRow>(pipeline.Fit(data).Transform(data), reuseRowObject: false).Select(r => r.Features).ToList();

        var ours = ResNet18Features.Shared.ExtractEach(paths.Select(ImageDecoder.Decode).ToList());
        Assert.Equal(reference.Count, ours.Length);
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.Equal(ResNet18Features.Dimension, reference[i].Length);
            Assert.Equal(ResNet18Features.Dimension, ours[i].Length);
            float scale = reference[i].Max(Math.Abs);
            Assert.True(scale > 0, "the reference features are all zero");
            for (int k = 0; k < ours[i].Length; k++)
                Assert.True(Math.Abs(ours[i][k] - reference[i][k]) <= 1e-4f * scale + 1e-5f, $"image {i} value {k}: {ours[i][k]} vs ML.NET {reference[i][k]}");
        }
    }

    [Fact]
    public void A_batch_equals_the_images_one_by_one_and_two_runs_are_identical()
    {
        var frames = Enumerable.Range(10, 3).Select(s => DeepTestImages.Picture(s, 200 + s, 150)).ToList();
        var batch = ResNet18Features.Shared.ExtractEach(frames);
        var again = ResNet18Features.Shared.ExtractEach(frames);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(batch[i], again[i]); // bit for bit
            var single = ResNet18Features.Shared.ExtractEach([frames[i]])[0];
            for (int k = 0; k < single.Length; k++) Assert.Equal(single[k], batch[i][k], 1e-4f);
        }
        Assert.NotEqual(batch[0], batch[1]);
        var average = ResNet18Features.Shared.Average(frames);
        for (int k = 0; k < average.Length; k++) Assert.Equal((batch[0][k] + batch[1][k] + batch[2][k]) / 3, average[k], 1e-5f);
    }

    [Fact]
    public void Input_is_the_centre_square_resized_to_224()
    {
        // A 448x224 image whose left and right quarters are red and whose centre square is a blue-green
        // gradient: the input must hold only the centre.
        var pixels = new byte[448 * 224 * 3];
        for (int y = 0; y < 224; y++)
            for (int x = 0; x < 448; x++)
            {
                int i = (y * 448 + x) * 3;
                bool centre = x >= 112 && x < 336;
                pixels[i] = centre ? (byte)0 : (byte)255;
                pixels[i + 1] = centre ? (byte)(x - 112) : (byte)0;
                pixels[i + 2] = centre ? (byte)y : (byte)0;
            }
        var input = new float[ResNet18Features.InputLength];
        ResNet18Features.WriteInput(new RgbImage(448, 224, pixels), input);
        int plane = 224 * 224;
        Assert.All(input.AsSpan(0, plane).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(5f, input[plane + 10 * 224 + 5]); // green = x within the centre
        Assert.Equal(10f, input[2 * plane + 10 * 224 + 5]); // blue = y
    }
}
