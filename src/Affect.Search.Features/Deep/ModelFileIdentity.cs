namespace Affect.Search.Features.Deep;

/// <summary>
/// The identity of one file a deep feature computes with (an ONNX network, a vocabulary): its name and the
/// SHA-256 of its bytes. Recorded in the feature space so that a model trained with one file refuses another.
/// </summary>
/// <param name="File">The file's name as its package ships it (e.g. "ResNet18.onnx").</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes used.</param>
public sealed record ModelFileIdentity(string File, string Sha256)
{
    /// <summary>The identity of <paramref name="bytes"/> under <paramref name="file"/>.</summary>
    public static ModelFileIdentity Of(string file, ReadOnlySpan<byte> bytes)
        => new(file, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));

    /// <inheritdoc />
    public override string ToString() => $"{File} (sha256 {Sha256})";
}
