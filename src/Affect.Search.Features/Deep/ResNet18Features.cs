using Affect.Search.Features.Media;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Affect.Search.Features.Deep;

/// <summary>
/// ImageNet ResNet-18 activations (the 512 outputs of its global average pooling) from the network that
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 ships, run by ONNX Runtime. Input is what ML.NET's
/// <c>DnnImageFeaturizer</c> feeds it: a 224x224 image as R, G, B planes of 0..255 values, turned by the
/// package's <c>ResNetPreprocess.onnx</c> into B, G, R planes minus its mean image. The mean image is read
/// once by running that network on zeros (it computes <c>BGR - mean</c>), and the same subtraction is then
/// done here, so preprocessing needs no second network call per batch. Images of another size are cropped
/// to the centre square and resized bilinearly (ML.NET's default <c>IsoCrop</c>, centre anchor).
/// Thread-safe; the network runs once per batch.
/// </summary>
public sealed class ResNet18Features
{
    /// <summary>The feature name configs use.</summary>
    public const string FeatureName = "resnet18";
    /// <summary>Activations per image.</summary>
    public const int Dimension = 512;
    /// <summary>Side of the network's square input.</summary>
    public const int InputSize = 224;
    /// <summary>Values per input image (3 planes of 224x224).</summary>
    public const int InputLength = 3 * InputSize * InputSize;

    private const string InputName = "Input247", OutputName = "Pooling395_Output_0";
    private static readonly Lazy<ResNet18Features> SharedInstance = new(() => Load(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly InferenceSession _session;
    private readonly float[] _mean; // B, G, R planes

    /// <summary>Builds the feature from the network and its preprocessing network.</summary>
    public ResNet18Features(OnnxModelFile network, OnnxModelFile preprocess)
    {
        Files = [network.Identity, preprocess.Identity];
        _session = DeepInference.Session(network.Identity, () => OnnxBatchDimension.MakeSymbolic(network.Bytes));
        using var prep = new InferenceSession(preprocess.Bytes);
        using var result = prep.Run([NamedOnnxValue.CreateFromTensor(prep.InputMetadata.Keys.Single(), new DenseTensor<float>(new float[InputLength], [1, 3, InputSize, InputSize]))]);
        var negated = result.First().AsTensor<float>().ToArray();
        if (negated.Length != InputLength) throw new InvalidDataException($"{preprocess.Origin}: preprocessing gives {negated.Length} values, expected {InputLength}");
        _mean = negated.Select(v => -v).ToArray();
    }

    /// <summary>The process's instance over the files found by <see cref="DeepModelLocator"/>.</summary>
    /// <exception cref="DeepModelMissingException">a file is missing.</exception>
    public static ResNet18Features Shared => SharedInstance.Value;

    /// <summary>Loads the package's files from where <see cref="DeepModelLocator"/> finds them.</summary>
    public static ResNet18Features Load() => new(
        OnnxModelFile.Read(FeatureName, "ResNet18.onnx", DeepModelLocator.ResNet18Network, DeepModelLocator.ResNetPackage),
        OnnxModelFile.Read(FeatureName, "ResNetPreprocess.onnx", DeepModelLocator.ResNetPreprocess, DeepModelLocator.ResNetPackage));

    /// <summary>The identities of the two files (network, preprocessing).</summary>
    public IReadOnlyList<ModelFileIdentity> Files { get; }

    /// <summary>The mean of the activations over <paramref name="frames"/> (an item's keyframes), one batch.</summary>
    public float[] Average(IReadOnlyList<RgbImage> frames) => Mean(ExtractEach(frames));

    /// <summary>The activations of each frame, computed as one batch.</summary>
    public float[][] ExtractEach(IReadOnlyList<RgbImage> frames)
    {
        var input = new float[frames.Count * InputLength];
        for (int i = 0; i < frames.Count; i++) WriteInput(frames[i], input.AsSpan(i * InputLength, InputLength));
        return Run(input, frames.Count);
    }

    /// <summary>
    /// The activations of <paramref name="count"/> images given as R, G, B planes of 0..255 values
    /// (<see cref="InputLength"/> each, back to back), as one batch.
    /// </summary>
    public float[][] Run(float[] rgbPlanes, int count)
    {
        if (count == 0) return [];
        if (rgbPlanes.Length != count * InputLength) throw new ArgumentException($"{rgbPlanes.Length} values are not {count} images of {InputLength}");
        var input = new float[rgbPlanes.Length];
        int plane = InputSize * InputSize;
        for (int i = 0; i < count; i++)
            for (int c = 0; c < 3; c++)
            {
                // The preprocessing network splits R, G, B and concatenates B, G, R before subtracting the mean.
                var source = rgbPlanes.AsSpan(i * InputLength + (2 - c) * plane, plane);
                var mean = _mean.AsSpan(c * plane, plane);
                var target = input.AsSpan(i * InputLength + c * plane, plane);
                System.Numerics.Tensors.TensorPrimitives.Subtract(source, mean, target);
            }
        using var output = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, new DenseTensor<float>(input, [count, 3, InputSize, InputSize]))], [OutputName]);
        var flat = output[0].AsTensor<float>().ToArray();
        var result = new float[count][];
        for (int i = 0; i < count; i++) result[i] = flat.AsSpan(i * Dimension, Dimension).ToArray();
        return result;
    }

    /// <summary>
    /// Writes a frame as the network's input planes (R, G, B, 0..255): the centre square crop resized to
    /// 224x224 by bilinear interpolation at pixel centres.
    /// </summary>
    public static void WriteInput(RgbImage frame, Span<float> destination)
    {
        if (destination.Length != InputLength) throw new ArgumentException($"destination holds {destination.Length} values, expected {InputLength}");
        int side = Math.Min(frame.Width, frame.Height);
        double x0 = (frame.Width - side) / 2.0, y0 = (frame.Height - side) / 2.0, scale = side / (double)InputSize;
        int plane = InputSize * InputSize;
        var pixels = frame.Pixels;
        for (int y = 0; y < InputSize; y++)
        {
            double sy = Math.Clamp(y0 + (y + 0.5) * scale - 0.5, 0, frame.Height - 1);
            int ya = (int)sy, yb = Math.Min(ya + 1, frame.Height - 1);
            float fy = (float)(sy - ya);
            for (int x = 0; x < InputSize; x++)
            {
                double sx = Math.Clamp(x0 + (x + 0.5) * scale - 0.5, 0, frame.Width - 1);
                int xa = (int)sx, xb = Math.Min(xa + 1, frame.Width - 1);
                float fx = (float)(sx - xa);
                for (int c = 0; c < 3; c++)
                {
                    float a = pixels[(ya * frame.Width + xa) * 3 + c], b = pixels[(ya * frame.Width + xb) * 3 + c];
                    float d = pixels[(yb * frame.Width + xa) * 3 + c], e = pixels[(yb * frame.Width + xb) * 3 + c];
                    float top = a + (b - a) * fx, bottom = d + (e - d) * fx;
                    destination[c * plane + y * InputSize + x] = top + (bottom - top) * fy;
                }
            }
        }
    }

    /// <summary>The element-wise mean of vectors (an item's frames or windows).</summary>
    internal static float[] Mean(float[][] vectors)
    {
        if (vectors.Length == 0) throw new ArgumentException("nothing to average");
        var sum = new float[vectors[0].Length];
        foreach (var v in vectors) System.Numerics.Tensors.TensorPrimitives.Add(sum, v, sum);
        System.Numerics.Tensors.TensorPrimitives.Divide(sum, vectors.Length, sum);
        return sum;
    }
}
