using Affect.Search.Model.Configuration;

namespace Affect.Search.Model.Persistence;

/// <summary>
/// What a model file says about itself, read by <see cref="ModelFile.ReadInfo(Stream)"/> without
/// putting any parameters on a compute backend (the file's checksum has been verified).
/// </summary>
/// <param name="FormatVersion">The file format version.</param>
/// <param name="Config">The network configuration the model was built from (input sizes resolved).</param>
/// <param name="Metadata">Free-form key/value pairs stored at save time.</param>
/// <param name="CreatedBy">The writer's name, "Affect.Search" for files written by this library.</param>
/// <param name="ParameterCount">Number of weights and biases in the file.</param>
/// <param name="Identity">
/// Hex SHA-256 of the model (config and parameters, not metadata); equal to
/// <see cref="ModelFile.Identity(Dbm.MultimodalDbm)"/> of the loaded model.
/// </param>
/// <param name="Length">Length of the file in bytes.</param>
public sealed record ModelFileInfo(
    int FormatVersion,
    DbmConfig Config,
    IReadOnlyDictionary<string, string> Metadata,
    string CreatedBy,
    long ParameterCount,
    string Identity,
    long Length);
