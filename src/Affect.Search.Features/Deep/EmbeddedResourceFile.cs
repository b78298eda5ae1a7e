using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Affect.Search.Features.Deep;

/// <summary>
/// Reads a managed resource embedded in an assembly file without loading the assembly: the MiniLM package
/// ships its network and vocabulary only that way, and loading its assembly would pull in its dependencies
/// (ML.NET, another ONNX Runtime) for nothing.
/// </summary>
public static class EmbeddedResourceFile
{
    /// <summary>The bytes of the embedded resource whose name ends with <paramref name="nameSuffix"/>.</summary>
    /// <exception cref="InvalidDataException">not a managed assembly, or no such resource.</exception>
    public static byte[] Read(string assemblyPath, string nameSuffix)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null) throw new InvalidDataException($"{assemblyPath} is not a managed assembly");
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (!resource.Implementation.IsNil || !name.EndsWith(nameSuffix, StringComparison.Ordinal)) continue;
            // Embedded resources lie in the CLI resources directory: each is a 4-byte length and its bytes.
            var directory = pe.PEHeaders.CorHeader.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = block.GetReader((int)resource.Offset, directory.Size - (int)resource.Offset);
            int length = reader.ReadInt32();
            return reader.ReadBytes(length);
        }
        throw new InvalidDataException($"{assemblyPath} has no embedded resource named '*{nameSuffix}'");
    }
}
