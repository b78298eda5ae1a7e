using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Persistence;

/// <summary>
/// The binary file format of a trained <see cref="MultimodalDbm"/>: its configuration, free-form
/// metadata and every parameter, versioned and checksummed so that a file from another build, a
/// truncated copy or a corrupted disk is refused with a message that says which, instead of
/// producing a model that silently embeds garbage.
/// </summary>
/// <remarks>
/// <para>Layout (all integers and floats little-endian):</para>
/// <list type="number">
/// <item>magic bytes <c>"AFFDBM\0\0"</c> (8 bytes);</item>
/// <item>uint32 format version (<see cref="FormatVersion"/>);</item>
/// <item>uint32 header length, then the header: UTF-8 JSON
/// <c>{"formatVersion":1,"config":{...},"metadata":{...},"createdBy":"Affect.Search"}</c>
/// where <c>config</c> is <see cref="DbmConfig.ToJson"/>;</item>
/// <item>uint64 body length, then the body: int32 layer count and, for each layer in
/// <see cref="MultimodalDbm.Nodes"/> order, its name and unit kind (length-prefixed UTF-8 strings as
/// <see cref="BinaryWriter.Write(string)"/> writes them), int32 size, int32 size of the parent layer
/// (0 for the joint layer), the bias (size floats), for Gaussian layers the standardisation mean and
/// standard deviation (size floats each), and for every layer but the joint layer the weights to its
/// parent (size x parent size floats, row-major);</item>
/// <item>the SHA-256 of every byte before it (32 bytes).</item>
/// </list>
/// <para>The body length is stored so that a truncated file is told apart from a corrupted one
/// before any of the body is interpreted. Loading reads and checksums the whole file before it
/// builds anything on a backend.</para>
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this build writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The <c>createdBy</c> value of files written by this library.</summary>
    public const string Creator = "Affect.Search";

    /// <summary>Suffix of the temporary file <see cref="Save(MultimodalDbm, string, IReadOnlyDictionary{string, string}?)"/> writes before renaming it.</summary>
    public const string TemporarySuffix = ".tmp";

    private static ReadOnlySpan<byte> Magic => "AFFDBM\0\0"u8;
    private const int MagicLength = 8;
    private const int ChecksumLength = 32;
    private const int ChunkBytes = 1 << 20;

    // ------------------------------------------------------------------ saving

    /// <summary>Writes <paramref name="dbm"/> to <paramref name="stream"/> (which need not be seekable).</summary>
    /// <param name="dbm">The model; its parameters are downloaded from its backend.</param>
    /// <param name="stream">Where the file is written, from the stream's current position.</param>
    /// <param name="metadata">Free-form key/value pairs stored in the header (e.g. training data, date); not part of <see cref="Identity"/>.</param>
    public static void Save(MultimodalDbm dbm, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(dbm);
        ArgumentNullException.ThrowIfNull(stream);
        var header = HeaderBytes(dbm.Config, metadata);
        long bodyLength = BodyLength(dbm);
        using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hashing = new HashingWriteStream(stream, checksum);
        using (var writer = new BinaryWriter(hashing, new UTF8Encoding(false), leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write((uint)FormatVersion);
            writer.Write((uint)header.Length);
            writer.Write(header);
            writer.Write((ulong)bodyLength);
            writer.Flush();
            long bodyStart = hashing.Written;
            WriteBody(dbm, writer);
            writer.Flush();
            if (hashing.Written - bodyStart != bodyLength)
                throw new InvalidOperationException($"model body is {hashing.Written - bodyStart} bytes, {bodyLength} were announced (writer bug)");
        }
        stream.Write(checksum.GetHashAndReset());
        stream.Flush();
    }

    /// <summary>
    /// Writes <paramref name="dbm"/> to <paramref name="path"/>: first to <c>path + ".tmp"</c>, flushed to
    /// disk, then renamed over <paramref name="path"/>, so that a crash or a full disk never leaves a
    /// half-written model under the real name (an existing file there stays intact until the rename).
    /// </summary>
    /// <param name="dbm">The model.</param>
    /// <param name="path">The file to create or replace; its directory must exist.</param>
    /// <param name="metadata">Free-form key/value pairs stored in the header.</param>
    public static void Save(MultimodalDbm dbm, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(dbm);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = path + TemporarySuffix;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Save(dbm, file, metadata);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            Affect.Search.Durability.DirectorySync.FlushParentOf(path); // the rename itself, durable
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// The model's identity: hex SHA-256 of its configuration and serialised parameters (not of metadata
    /// or format framing). It is the same before saving and after loading, so that an artefact derived from
    /// a model (e.g. a search index) can refuse to be used with a different one.
    /// </summary>
    public static string Identity(MultimodalDbm dbm)
    {
        ArgumentNullException.ThrowIfNull(dbm);
        using var bodyHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var writer = new BinaryWriter(new HashingWriteStream(Stream.Null, bodyHash), new UTF8Encoding(false), leaveOpen: true))
        {
            WriteBody(dbm, writer);
            writer.Flush();
        }
        return IdentityOf(dbm.Config, bodyHash.GetHashAndReset());
    }

    private static string IdentityOf(DbmConfig config, byte[] bodyHash)
    {
        // The config JSON is self-delimiting and the body hash has a fixed length, so the
        // concatenation is unambiguous.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(config.ToJson()));
        hash.AppendData(bodyHash);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static byte[] HeaderBytes(DbmConfig config, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WritePropertyName("config");
            json.WriteRawValue(config.ToJson());
            json.WriteStartObject("metadata");
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                if (value is null) throw new ArgumentException($"metadata '{key}' has no value", nameof(metadata));
                json.WriteString(key, value);
            }
            json.WriteEndObject();
            json.WriteString("createdBy", Creator);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteBody(MultimodalDbm dbm, BinaryWriter writer)
    {
        writer.Write(dbm.Nodes.Count);
        long largest = dbm.Nodes.Max(n => Math.Max(n.Bias.Length, n.Weights?.Length ?? 0));
        var buffer = new float[largest];
        foreach (var node in dbm.Nodes)
        {
            if ((node.Parent is null) != (node.Weights is null))
                throw new InvalidOperationException($"layer '{node.Name}' has {(node.Weights is null ? "no weights" : "weights but no parent")}");
            writer.Write(node.Name);
            writer.Write(KindName(node.Units.Kind));
            writer.Write(node.Size);
            writer.Write(node.Parent?.Size ?? 0);
            WriteMatrix(writer, node.Bias, buffer);
            if (node.Units is GaussianLayer gaussian)
            {
                WriteFloats(writer, gaussian.Mean);
                WriteFloats(writer, gaussian.StandardDeviation);
            }
            if (node.Weights is { } weights) WriteMatrix(writer, weights, buffer);
        }
    }

    private static void WriteMatrix(BinaryWriter writer, FloatMatrix matrix, float[] buffer)
    {
        var span = buffer.AsSpan(0, checked((int)matrix.Length));
        matrix.Backend.Download(matrix, span);
        WriteFloats(writer, span);
    }

    private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        var swapped = new int[Math.Min(values.Length, ChunkBytes / sizeof(int))];
        for (int start = 0; start < values.Length; start += swapped.Length)
        {
            var chunk = MemoryMarshal.Cast<float, int>(values.Slice(start, Math.Min(swapped.Length, values.Length - start)));
            BinaryPrimitives.ReverseEndianness(chunk, swapped.AsSpan(0, chunk.Length));
            writer.Write(MemoryMarshal.AsBytes(swapped.AsSpan(0, chunk.Length)));
        }
    }

    private static long BodyLength(MultimodalDbm dbm)
    {
        long length = sizeof(int);
        foreach (var node in dbm.Nodes)
        {
            length += StringLength(node.Name) + StringLength(KindName(node.Units.Kind)) + 2 * sizeof(int);
            length += sizeof(float) * (long)node.Size * (node.Units is GaussianLayer ? 3 : 1);
            length += sizeof(float) * (long)node.Size * (node.Parent?.Size ?? 0);
        }
        return length;
    }

    private static long StringLength(string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        int prefix = 1;
        for (uint v = (uint)bytes; v >= 0x80; v >>= 7) prefix++;
        return prefix + bytes;
    }

    private static string KindName(UnitKind kind) => kind switch
    {
        UnitKind.Bernoulli => "bernoulli",
        UnitKind.Gaussian => "gaussian",
        UnitKind.ReplicatedSoftmax => "replicated-softmax",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unit kind has no name in the model file format"),
    };

    // ----------------------------------------------------------------- loading

    /// <summary>
    /// Reads a model from <paramref name="stream"/> (to its end) onto <paramref name="backend"/>. The whole
    /// file is read and its checksum verified before the network is built; the network is then built from
    /// the stored config and must have exactly the stored layers.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The stream is not a model file, has another format version, is truncated or corrupted, or does not
    /// match its config; the message says which.
    /// </exception>
    public static MultimodalDbm Load(IComputeBackend backend, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(stream);
        var (s, owned) = Seekable(stream);
        try
        {
            var layout = Verify(s);
            var header = ParseHeader(layout.Header, layout.Version);
            MultimodalDbm dbm;
            try { dbm = MultimodalDbm.Create(backend, header.Config); }
            catch (InvalidDataException e) { throw Mismatch(e.Message); }
            try
            {
                s.Position = layout.BodyStart;
                ReadParameters(dbm, new BodyReader(s, layout.BodyStart + layout.BodyLength));
                s.Position = layout.End;
                return dbm;
            }
            catch
            {
                dbm.Dispose();
                throw;
            }
        }
        finally
        {
            if (owned) s.Dispose();
        }
    }

    /// <summary>Reads a model file from <paramref name="path"/> onto <paramref name="backend"/>.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load(IComputeBackend, Stream)"/>; the message starts with the path.</exception>
    public static MultimodalDbm Load(IComputeBackend backend, string path)
    {
        ArgumentNullException.ThrowIfNull(backend);
        using var file = OpenRead(path);
        try { return Load(backend, file); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>
    /// Reads a model file's format version, config, metadata, parameter count and identity without
    /// putting its parameters on a backend. The whole file is read and its checksum verified.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="Load(IComputeBackend, Stream)"/>.</exception>
    public static ModelFileInfo ReadInfo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (s, owned) = Seekable(stream);
        try
        {
            var layout = Verify(s);
            var header = ParseHeader(layout.Header, layout.Version);
            s.Position = layout.BodyStart;
            long parameters = CountParameters(new BodyReader(s, layout.BodyStart + layout.BodyLength));
            s.Position = layout.End;
            return new ModelFileInfo(layout.Version, header.Config, header.Metadata, header.CreatedBy, parameters,
                IdentityOf(header.Config, layout.BodyHash), layout.End - layout.Start);
        }
        finally
        {
            if (owned) s.Dispose();
        }
    }

    /// <summary>Reads a model file's description from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadInfo(Stream)"/>; the message starts with the path.</exception>
    public static ModelFileInfo ReadInfo(string path)
    {
        using var file = OpenRead(path);
        try { return ReadInfo(file); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    /// <summary>Loading reads the file twice (checksum, then parameters); a non-seekable stream is buffered.</summary>
    private static (Stream Stream, bool Owned) Seekable(Stream stream)
    {
        if (stream.CanSeek) return (stream, false);
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return (copy, true);
    }

    private sealed record Layout(long Start, int Version, byte[] Header, long BodyStart, long BodyLength, byte[] BodyHash, long End);

    private sealed record Header(DbmConfig Config, IReadOnlyDictionary<string, string> Metadata, string CreatedBy);

    /// <summary>First pass: framing, version, truncation and checksum; interprets nothing inside the header or body.</summary>
    private static Layout Verify(Stream s)
    {
        long start = s.Position;
        using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        Span<byte> magic = stackalloc byte[MagicLength];
        int got = ReadUpTo(s, magic);
        if (got == 0) throw Invalid("not an Affect.Search model file (it is empty)");
        if (!magic[..got].SequenceEqual(Magic[..got])) throw Invalid("not an Affect.Search model file (wrong magic bytes)");
        if (got < MagicLength) throw Truncated(MagicLength - got, "the magic bytes");
        checksum.AppendData(magic);

        Span<byte> word = stackalloc byte[sizeof(ulong)];
        ReadExact(s, word[..4], checksum, "the format version");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(word);
        if (version != FormatVersion)
            throw Invalid($"model file format version {version} is not supported by this build (supports {FormatVersion})");

        ReadExact(s, word[..4], checksum, "the header length");
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(word);
        long available = s.Length - s.Position;
        if (headerLength > available) throw Truncated(headerLength - available, "the header");
        var header = new byte[headerLength];
        ReadExact(s, header, checksum, "the header");

        ReadExact(s, word, checksum, "the body length");
        ulong bodyLength = BinaryPrimitives.ReadUInt64LittleEndian(word);
        long bodyStart = s.Position;
        available = s.Length - bodyStart;
        if (bodyLength > (ulong)available) throw Truncated(bodyLength - (ulong)available, "the body");

        using var bodyHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (long left = (long)bodyLength; left > 0;)
            {
                var part = chunk.AsSpan(0, (int)Math.Min(left, ChunkBytes));
                ReadExact(s, part, checksum, "the body", left);
                bodyHash.AppendData(part);
                left -= part.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        Span<byte> stored = stackalloc byte[ChecksumLength];
        ReadExact(s, stored, null, "the checksum");
        if (!stored.SequenceEqual(checksum.GetHashAndReset())) throw Invalid("model file is corrupted: checksum mismatch");
        long end = s.Position;
        if (s.Length > end) throw Invalid($"model file is corrupted: {s.Length - end} unexpected bytes after the checksum");
        return new Layout(start, (int)version, header, bodyStart, (long)bodyLength, bodyHash.GetHashAndReset(), end);
    }

    private static int ReadUpTo(Stream s, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = s.Read(destination[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    // itemRemaining: bytes of the item still to read, destination included (for the message); its length when null.
    private static void ReadExact(Stream s, Span<byte> destination, IncrementalHash? hash, string what, long? itemRemaining = null)
    {
        int got = ReadUpTo(s, destination);
        if (got < destination.Length) throw Truncated((itemRemaining ?? destination.Length) - got, what);
        hash?.AppendData(destination);
    }

    private static Header ParseHeader(byte[] bytes, int fileVersion)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw Invalid($"model file is malformed: its header is not valid JSON ({e.Message})"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("model file is malformed: its header is not a JSON object");
            if (!root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out int headerVersion) || headerVersion != fileVersion)
                throw Invalid($"model file is malformed: its header does not state format version {fileVersion}");
            if (!root.TryGetProperty("config", out var configElement) || configElement.ValueKind != JsonValueKind.Object)
                throw Invalid("model file is malformed: its header has no config");
            DbmConfig config;
            try { config = DbmConfig.FromJson(configElement.GetRawText()); }
            catch (InvalidDataException e) { throw Invalid($"model file has an invalid config: {e.Message}"); }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var metadataElement) && metadataElement.ValueKind != JsonValueKind.Null)
            {
                if (metadataElement.ValueKind != JsonValueKind.Object) throw Invalid("model file is malformed: its metadata is not a JSON object");
                foreach (var property in metadataElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String)
                        throw Invalid($"model file is malformed: metadata '{property.Name}' is not a string");
                    metadata[property.Name] = property.Value.GetString()!;
                }
            }
            string createdBy = root.TryGetProperty("createdBy", out var creator) && creator.ValueKind == JsonValueKind.String
                ? creator.GetString()! : "";
            return new Header(config, metadata, createdBy);
        }
    }

    private readonly record struct LayerRecord(string Name, string Kind, int Size, int ParentSize);

    private static LayerRecord ReadLayerRecord(BodyReader reader, int index)
    {
        var name = reader.ReadString($"the name of layer {index}");
        var kind = reader.ReadString($"the unit kind of layer '{name}'");
        int size = reader.ReadInt32($"the size of layer '{name}'");
        int parentSize = reader.ReadInt32($"the parent size of layer '{name}'");
        if (size <= 0 || parentSize < 0) throw Invalid($"model file is malformed: layer '{name}' has size {size} and parent size {parentSize}");
        return new LayerRecord(name, kind, size, parentSize);
    }

    /// <summary>Second pass of <see cref="Load(IComputeBackend, Stream)"/>: check each layer against the network and upload it.</summary>
    private static void ReadParameters(MultimodalDbm dbm, BodyReader reader)
    {
        var backend = dbm.Backend;
        int count = reader.ReadInt32("the layer count");
        if (count != dbm.Nodes.Count)
            throw Mismatch($"the file has {count} layers, the network built from the config has {dbm.Nodes.Count} ({string.Join(", ", dbm.Nodes.Select(n => n.Name))})");
        long largest = dbm.Nodes.Max(n => Math.Max(n.Bias.Length, n.Weights?.Length ?? 0));
        var buffer = new float[largest];
        for (int i = 0; i < count; i++)
        {
            var node = dbm.Nodes[i];
            var layer = ReadLayerRecord(reader, i);
            if (layer.Name != node.Name)
                throw Mismatch($"layer {i} is '{layer.Name}' in the file but '{node.Name}' in the network built from the config");
            var kind = KindName(node.Units.Kind);
            if (layer.Kind != kind)
                throw Mismatch($"layer '{node.Name}' has {layer.Kind} units in the file but {kind} units in the config");
            if (layer.Size != node.Size)
                throw Mismatch($"layer '{node.Name}' has {layer.Size} units in the file but {node.Size} in the config");
            int parentSize = node.Parent?.Size ?? 0;
            if (layer.ParentSize != parentSize)
                throw Mismatch(node.Parent is null
                    ? $"layer '{node.Name}' is the joint layer in the config but has weights to {layer.ParentSize} units above it in the file"
                    : $"layer '{node.Name}' connects to {layer.ParentSize} units above in the file but to '{node.Parent.Name}' of {parentSize} units in the config");

            var bias = buffer.AsSpan(0, node.Size);
            reader.ReadFloats(bias, $"the bias of layer '{node.Name}'");
            backend.Upload(bias, node.Bias);
            if (node.Units is GaussianLayer gaussian)
            {
                var mean = new float[node.Size];
                var deviation = new float[node.Size];
                reader.ReadFloats(mean, $"the standardisation mean of layer '{node.Name}'");
                reader.ReadFloats(deviation, $"the standard deviation of layer '{node.Name}'");
                if (mean.Any(m => !float.IsFinite(m)) || deviation.Any(d => !(d > 0) || !float.IsFinite(d)))
                    throw Invalid($"model file is malformed: the standardisation of layer '{node.Name}' has a non-finite mean or a non-positive standard deviation");
                gaussian.SetStandardisation(mean, deviation);
            }
            if (node.Weights is { } weights)
            {
                var values = buffer.AsSpan(0, checked((int)weights.Length));
                reader.ReadFloats(values, $"the weights of layer '{node.Name}'");
                backend.Upload(values, weights);
            }
        }
        if (reader.Remaining != 0) throw Invalid($"model file is malformed: {reader.Remaining} unexpected bytes at the end of the body");
    }

    /// <summary>Second pass of <see cref="ReadInfo(Stream)"/>: walk the layers, skipping their values.</summary>
    private static long CountParameters(BodyReader reader)
    {
        int count = reader.ReadInt32("the layer count");
        if (count <= 0) throw Invalid($"model file is malformed: it has {count} layers");
        long parameters = 0;
        for (int i = 0; i < count; i++)
        {
            var layer = ReadLayerRecord(reader, i);
            long weights = (long)layer.Size * layer.ParentSize;
            parameters += layer.Size + weights;
            long floats = layer.Size * (layer.Kind == KindName(UnitKind.Gaussian) ? 3L : 1L) + weights;
            reader.Skip(floats * sizeof(float), $"the values of layer '{layer.Name}'");
        }
        if (reader.Remaining != 0) throw Invalid($"model file is malformed: {reader.Remaining} unexpected bytes at the end of the body");
        return parameters;
    }

    /// <summary>
    /// Reads the (already checksummed) body of a seekable stream, refusing to read past its end: after a
    /// good checksum an overrun means the writer was wrong, not that the file was cut short.
    /// </summary>
    private sealed class BodyReader(Stream stream, long end)
    {
        public long Remaining => end - stream.Position;

        private void Need(long bytes, string what)
        {
            if (bytes > Remaining) throw Invalid($"model file is malformed: {what} runs past the end of the body");
        }

        private void Read(Span<byte> destination, string what)
        {
            Need(destination.Length, what);
            stream.ReadExactly(destination);
        }

        public int ReadInt32(string what)
        {
            Span<byte> bytes = stackalloc byte[sizeof(int)];
            Read(bytes, what);
            return BinaryPrimitives.ReadInt32LittleEndian(bytes);
        }

        /// <summary>A string as <see cref="BinaryWriter.Write(string)"/> writes it: 7-bit-encoded byte count, UTF-8.</summary>
        public string ReadString(string what)
        {
            int length = 0;
            Span<byte> one = stackalloc byte[1];
            for (int shift = 0; ; shift += 7)
            {
                if (shift > 28) throw Invalid($"model file is malformed: bad length prefix of {what}");
                Read(one, what);
                length |= (one[0] & 0x7F) << shift;
                if ((one[0] & 0x80) == 0) break;
            }
            if (length < 0) throw Invalid($"model file is malformed: bad length prefix of {what}");
            Need(length, what);
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
            catch (DecoderFallbackException) { throw Invalid($"model file is malformed: {what} is not valid UTF-8"); }
        }

        public void ReadFloats(Span<float> destination, string what)
        {
            Read(MemoryMarshal.AsBytes(destination), what);
            if (!BitConverter.IsLittleEndian)
            {
                var ints = MemoryMarshal.Cast<float, int>(destination);
                BinaryPrimitives.ReverseEndianness(ints, ints);
            }
        }

        public void Skip(long bytes, string what)
        {
            Need(bytes, what);
            stream.Seek(bytes, SeekOrigin.Current);
        }
    }

    private static InvalidDataException Invalid(string message) => new(message);

    private static InvalidDataException Truncated(long missing, string what)
        => new($"model file is truncated: expected {missing} more bytes while reading {what}");

    private static InvalidDataException Truncated(ulong missing, string what)
        => new($"model file is truncated: expected {missing} more bytes while reading {what}");

    private static InvalidDataException Mismatch(string detail) => new($"model file does not match its config: {detail}");
}
