using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Persistence;
using Affect.Search.Model.Training;

namespace Affect.Search.Model.Tests.Persistence;

/// <summary>
/// Model files: a tiny trained model (one Gaussian and one word-count feature) saved and loaded must
/// embed bit for bit as before, and every kind of damaged file must be refused with its own message.
/// </summary>
public sealed class ModelFileTests : IClassFixture<ModelFileTests.TrainedTinyModel>
{
    private readonly TrainedTinyModel _model;

    public ModelFileTests(TrainedTinyModel model) => _model = model;

    public sealed class TrainedTinyModel : IDisposable
    {
        public TrainedTinyModel()
        {
            Backend = new CpuBackend();
            Config = new DbmConfig
            {
                Name = "persistence-test",
                JointSize = 6,
                Modalities = new()
                {
                    new ModalityConfig { Name = "visual", Features = new() { new FeatureConfig { Name = "hog", Visible = UnitKind.Gaussian, InputSize = 8, Hidden = new() { 8, 6 } } } },
                    new ModalityConfig { Name = "text", Features = new() { new FeatureConfig { Name = "text", Visible = UnitKind.ReplicatedSoftmax, InputSize = 20, Hidden = new() { 8, 6 } } } },
                },
                Pretraining = new PretrainingConfig { Epochs = 2, BatchSize = 50 },
                JointTraining = new JointTrainingConfig { Epochs = 1, BatchSize = 50, Chains = 20 },
                Seed = 3,
            };
            Corpus = SyntheticMultimodalCorpus.Generate(Config, new SyntheticCorpusOptions
            {
                Items = 200, Classes = 4, GaussianDimension = 8, Vocabulary = 20, WordsPerClass = 3, MissingRate = 0.3, Seed = 7,
            });
            Dbm = DbmTrainer.Train(Backend, Config, Corpus.Data);
            using var stream = new MemoryStream();
            ModelFile.Save(Dbm, stream, Metadata);
            Bytes = stream.ToArray();
        }

        public static readonly IReadOnlyDictionary<string, string> Metadata = new Dictionary<string, string>
        {
            ["trainedOn"] = "synthetic 200 items",
            ["note"] = "ünïcode ✓",
        };

        public CpuBackend Backend { get; }
        public DbmConfig Config { get; }
        public SyntheticMultimodalCorpus Corpus { get; }
        public MultimodalDbm Dbm { get; }
        /// <summary>The model saved with <see cref="Metadata"/>.</summary>
        public byte[] Bytes { get; }

        public void Dispose() => Dbm.Dispose();
    }

    /// <summary>Offsets of the file's parts, computed independently of the reader.</summary>
    private sealed record Parts(int HeaderLength, int HeaderStart, int BodyLengthStart, int BodyStart, int BodyLength, int ChecksumStart, int Total)
    {
        public static Parts Of(byte[] file)
        {
            int headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12)));
            int bodyLengthStart = 16 + headerLength;
            int bodyLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(bodyLengthStart)));
            int bodyStart = bodyLengthStart + 8;
            var parts = new Parts(headerLength, 16, bodyLengthStart, bodyStart, bodyLength, bodyStart + bodyLength, bodyStart + bodyLength + 32);
            Assert.Equal(parts.Total, file.Length);
            return parts;
        }
    }

    private MultimodalDbm LoadCopy(byte[]? bytes = null) => ModelFile.Load(new CpuBackend(), new MemoryStream(bytes ?? _model.Bytes));

    private static InvalidDataException Refused(byte[] bytes)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new CpuBackend(), new MemoryStream(bytes)).Dispose());
        // ReadInfo reads the same framing and must refuse the same way.
        var info = Assert.Throws<InvalidDataException>(() => ModelFile.ReadInfo(new MemoryStream(bytes)));
        Assert.Equal(e.Message, info.Message);
        return e;
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Round_trip_reproduces_embeddings_bit_for_bit_with_and_without_missing_modalities()
    {
        var data = _model.Corpus.Data;
        Assert.Contains(false, data.Presence("hog"));
        Assert.Contains(false, data.Presence("text"));
        using var loaded = LoadCopy();
        var options = new InferenceOptions { Reconstruct = true };
        var views = new (string Name, MultimodalDataset Items)[]
        {
            ("as generated (some items lack a modality)", data),
            ("every modality present", data.Select(Enumerable.Range(0, data.Count).Where(r => data.IsPresent("hog", r) && data.IsPresent("text", r)).ToArray())),
            ("hog only", data.Only("hog")),
            ("text only", data.Only("text")),
        };
        foreach (var (name, items) in views)
        {
            var before = new MeanFieldInference(_model.Dbm).Infer(items, options);
            var after = new MeanFieldInference(loaded).Infer(items, options);
            AssertBitwiseEqual(before.Joint, after.Joint, $"{name}: embedding");
            foreach (var (layer, values) in before.Reconstructions)
                AssertBitwiseEqual(values, after.Reconstructions[layer], $"{name}: reconstruction of {layer}");
        }
    }

    [Fact]
    public void Round_trip_restores_every_parameter_and_the_gaussian_standardisation()
    {
        using var loaded = LoadCopy();
        Assert.Equal(_model.Dbm.Config.ToJson(), loaded.Config.ToJson());
        Assert.Equal(_model.Dbm.Nodes.Select(n => n.Name), loaded.Nodes.Select(n => n.Name));
        foreach (var node in _model.Dbm.Nodes)
        {
            var copy = loaded.Node(node.Name);
            AssertBitwiseEqual(node.Bias.ToArray(), copy.Bias.ToArray(), $"bias of {node.Name}");
            if (node.Weights is not null) AssertBitwiseEqual(node.Weights.ToArray(), copy.Weights!.ToArray(), $"weights of {node.Name}");
            if (node.Units is GaussianLayer g)
            {
                // The fitted statistics are far from the identity a fresh layer starts with.
                Assert.Contains(g.Mean, m => Math.Abs(m) > 0.05f);
                var h = Assert.IsType<GaussianLayer>(copy.Units);
                AssertBitwiseEqual(g.Mean, h.Mean, $"mean of {node.Name}");
                AssertBitwiseEqual(g.StandardDeviation, h.StandardDeviation, $"standard deviation of {node.Name}");
            }
        }
    }

    [Fact]
    public void Identity_is_stable_across_save_and_load_and_ignores_metadata()
    {
        var identity = ModelFile.Identity(_model.Dbm);
        Assert.Matches("^[0-9a-f]{64}$", identity);
        using var loaded = LoadCopy();
        Assert.Equal(identity, ModelFile.Identity(loaded));
        Assert.Equal(identity, ModelFile.ReadInfo(new MemoryStream(_model.Bytes)).Identity);

        using var other = new MemoryStream();
        ModelFile.Save(loaded, other, new Dictionary<string, string> { ["different"] = "metadata" });
        Assert.NotEqual(_model.Bytes, other.ToArray());
        Assert.Equal(identity, ModelFile.ReadInfo(new MemoryStream(other.ToArray())).Identity);
    }

    [Fact]
    public void Identity_changes_when_a_parameter_or_the_config_changes()
    {
        var identity = ModelFile.Identity(_model.Dbm);
        using var changed = LoadCopy();
        var node = changed.Node("text.h1");
        var weights = node.Weights!.ToArray();
        weights[3] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(weights[3]) ^ 1);
        changed.Backend.Upload(weights, node.Weights);
        Assert.NotEqual(identity, ModelFile.Identity(changed));

        using var standardisation = LoadCopy();
        var g = (GaussianLayer)standardisation.Node("hog").Units;
        var mean = (float[])g.Mean.Clone();
        mean[0] += 1f;
        g.SetStandardisation(mean, g.StandardDeviation);
        Assert.NotEqual(identity, ModelFile.Identity(standardisation));

        // Same parameters under a config that differs only in a training hyper-parameter.
        var renamedBytes = WithConfig(_model.Bytes, config => config["jointTraining"]!["learningRate"] = 0.5);
        using var renamed = LoadCopy(renamedBytes);
        Assert.NotEqual(identity, ModelFile.Identity(renamed));
        Assert.Equal(ModelFile.Identity(renamed), ModelFile.ReadInfo(new MemoryStream(renamedBytes)).Identity);
    }

    [Fact]
    public void ReadInfo_reports_version_config_metadata_and_parameter_count()
    {
        var info = ModelFile.ReadInfo(new MemoryStream(_model.Bytes));
        Assert.Equal(1, info.FormatVersion);
        Assert.Equal(_model.Dbm.Config.ToJson(), info.Config.ToJson());
        Assert.Equal(8, info.Config.Features.Single(f => f.Name == "hog").InputSize);
        Assert.Equal(20, info.Config.Features.Single(f => f.Name == "text").InputSize);
        Assert.Equal(TrainedTinyModel.Metadata.OrderBy(kv => kv.Key), info.Metadata.OrderBy(kv => kv.Key));
        Assert.Equal("Affect.Search", info.CreatedBy);
        Assert.Equal(_model.Dbm.ParameterCount, info.ParameterCount);
        Assert.Equal(_model.Bytes.Length, info.Length);
    }

    [Fact]
    public void The_header_is_the_documented_json()
    {
        var parts = Parts.Of(_model.Bytes);
        Assert.Equal("AFFDBM\0\0"u8.ToArray(), _model.Bytes[..8]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(_model.Bytes.AsSpan(8)));
        var header = JsonNode.Parse(_model.Bytes.AsSpan(parts.HeaderStart, parts.HeaderLength))!;
        Assert.Equal(1, (int)header["formatVersion"]!);
        Assert.Equal("Affect.Search", (string)header["createdBy"]!);
        Assert.Equal("synthetic 200 items", (string)header["metadata"]!["trainedOn"]!);
        Assert.Equal(_model.Dbm.Config.ToJson(), DbmConfig.FromJson(header["config"]!.ToJsonString()).ToJson());
        Assert.Equal(SHA256.HashData(_model.Bytes.AsSpan(0, parts.ChecksumStart)), _model.Bytes[parts.ChecksumStart..]);
    }

    public static TheoryData<string> CutPoints => new()
    {
        "magic", "version", "header length", "header start", "header middle", "body length",
        "body start", "body middle", "body last byte", "checksum start", "checksum middle", "checksum last byte",
    };

    [Theory]
    [MemberData(nameof(CutPoints))]
    public void A_truncated_file_is_refused_with_the_truncated_message(string where)
    {
        var p = Parts.Of(_model.Bytes);
        (int cut, long missing, string what) = where switch
        {
            "magic" => (5, 3L, "the magic bytes"),
            "version" => (10, 2L, "the format version"),
            "header length" => (13, 3L, "the header length"),
            "header start" => (p.HeaderStart, p.HeaderLength, "the header"),
            "header middle" => (p.HeaderStart + p.HeaderLength / 2, p.HeaderLength - p.HeaderLength / 2, "the header"),
            "body length" => (p.BodyLengthStart + 3, 5L, "the body length"),
            "body start" => (p.BodyStart, p.BodyLength, "the body"),
            "body middle" => (p.BodyStart + p.BodyLength / 2, p.BodyLength - p.BodyLength / 2, "the body"),
            "body last byte" => (p.ChecksumStart - 1, 1L, "the body"),
            "checksum start" => (p.ChecksumStart, 32L, "the checksum"),
            "checksum middle" => (p.ChecksumStart + 10, 22L, "the checksum"),
            "checksum last byte" => (p.Total - 1, 1L, "the checksum"),
            _ => throw new ArgumentException(where),
        };
        var e = Refused(_model.Bytes[..cut]);
        Assert.Equal($"model file is truncated: expected {missing} more bytes while reading {what}", e.Message);
    }

    public static TheoryData<string> FlipPoints => new()
    {
        "header", "body length", "layer count", "layer name", "weight", "last body byte", "checksum",
    };

    [Theory]
    [MemberData(nameof(FlipPoints))]
    public void A_flipped_byte_is_refused_with_checksum_mismatch(string where)
    {
        var p = Parts.Of(_model.Bytes);
        int offset = where switch
        {
            "header" => p.HeaderStart + p.HeaderLength / 2,
            "body length" => p.BodyLengthStart,
            "layer count" => p.BodyStart,
            "layer name" => p.BodyStart + 5,
            "weight" => p.BodyStart + p.BodyLength / 2,
            "last body byte" => p.ChecksumStart - 1,
            "checksum" => p.ChecksumStart + 7,
            _ => throw new ArgumentException(where),
        };
        var bytes = (byte[])_model.Bytes.Clone();
        if (where == "body length")
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), (ulong)p.BodyLength - 8); // the checksum is then read from the wrong place
        else
            bytes[offset] ^= 0x01;
        Assert.Equal("model file is corrupted: checksum mismatch", Refused(bytes).Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_checksum_are_refused()
    {
        var e = Refused([.. _model.Bytes, 0, 0, 0]);
        Assert.Equal("model file is corrupted: 3 unexpected bytes after the checksum", e.Message);
    }

    [Fact]
    public void Wrong_magic_is_refused()
    {
        var bytes = (byte[])_model.Bytes.Clone();
        bytes[0] = (byte)'X';
        Assert.StartsWith("not an Affect.Search model file", Refused(bytes).Message);
        Assert.StartsWith("not an Affect.Search model file", Refused(Encoding.UTF8.GetBytes("{\"name\": \"a config, not a model\"}")).Message);
        Assert.StartsWith("not an Affect.Search model file", Refused([]).Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(0x01000000u)]
    public void Other_format_versions_are_refused(uint version)
    {
        var bytes = (byte[])_model.Bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), version);
        Assert.Equal($"model file format version {version} is not supported by this build (supports 1)", Refused(bytes).Message);
    }

    /// <summary>The file with its header's config edited and the checksum recomputed, so only the config/body agreement is wrong.</summary>
    private static byte[] WithConfig(byte[] file, Action<JsonNode> edit)
    {
        var p = Parts.Of(file);
        var header = JsonNode.Parse(file.AsSpan(p.HeaderStart, p.HeaderLength))!;
        edit(header["config"]!);
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new List<byte>();
        result.AddRange(file[..12]);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        result.AddRange(length);
        result.AddRange(headerBytes);
        result.AddRange(file[p.BodyLengthStart..p.ChecksumStart]);
        result.AddRange(SHA256.HashData(result.ToArray()));
        return result.ToArray();
    }

    public static TheoryData<string, string> ConfigEdits => new()
    {
        { "hidden size", "layer 'text.h1' connects to 6 units above in the file but to 'text.h2' of 5 units in the config" },
        { "feature name", "layer 1 is 'text' in the file but 'words' in the network built from the config" },
        { "unit kind", "layer 'hog' has gaussian units in the file but bernoulli units in the config" },
        { "extra layer", "the file has 7 layers, the network built from the config has 8" },
        { "input size", "layer 'hog' has 8 units in the file but 9 in the config" },
    };

    [Theory]
    [MemberData(nameof(ConfigEdits))]
    public void A_file_whose_layers_do_not_match_its_config_is_refused(string edit, string detail)
    {
        var bytes = WithConfig(_model.Bytes, config =>
        {
            var text = config["modalities"]![1]!["features"]![0]!;
            var hog = config["modalities"]![0]!["features"]![0]!;
            switch (edit)
            {
                case "hidden size": text["hidden"]![1] = 5; break;
                case "feature name": text["name"] = "words"; break;
                case "unit kind": hog["visible"] = "bernoulli"; break;
                case "extra layer": text["hidden"]!.AsArray().Add(4); break;
                case "input size": hog["inputSize"] = 9; break;
            }
        });
        var e = Assert.Throws<InvalidDataException>(() => LoadCopy(bytes).Dispose());
        Assert.StartsWith($"model file does not match its config: {detail}", e.Message);
    }

    [Fact]
    public void Save_to_a_path_replaces_the_file_and_leaves_no_temporary_file()
    {
        var directory = Directory.CreateTempSubdirectory("affect-model-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.affdbm");
            ModelFile.Save(_model.Dbm, path, new Dictionary<string, string> { ["run"] = "first" });
            ModelFile.Save(_model.Dbm, path, new Dictionary<string, string> { ["run"] = "second" });
            Assert.Equal(new[] { "model.affdbm" }, directory.GetFiles().Select(f => f.Name));
            Assert.False(File.Exists(path + ".tmp"));
            Assert.Equal("second", ModelFile.ReadInfo(path).Metadata["run"]);
            using var loaded = ModelFile.Load(new CpuBackend(), path);
            Assert.Equal(ModelFile.Identity(_model.Dbm), ModelFile.Identity(loaded));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Save_to_a_path_writes_through_the_temporary_file_and_keeps_the_old_model_when_it_fails()
    {
        var directory = Directory.CreateTempSubdirectory("affect-model-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.affdbm");
            ModelFile.Save(_model.Dbm, path, new Dictionary<string, string> { ["run"] = "good" });
            var good = File.ReadAllBytes(path);

            // A failure while writing (a metadata value it cannot store) leaves the old file and no temporary.
            Assert.Throws<ArgumentException>(() => ModelFile.Save(_model.Dbm, path, new Dictionary<string, string> { ["bad"] = null! }));
            Assert.Equal(good, File.ReadAllBytes(path));
            Assert.False(File.Exists(path + ".tmp"));

            // The bytes go to path + ".tmp" first: when that cannot be created, the real file is not touched.
            Directory.CreateDirectory(path + ".tmp");
            Assert.ThrowsAny<Exception>(() => ModelFile.Save(_model.Dbm, path, new Dictionary<string, string> { ["run"] = "blocked" }));
            Assert.Equal(good, File.ReadAllBytes(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Errors_loading_from_a_path_start_with_the_path()
    {
        var directory = Directory.CreateTempSubdirectory("affect-model-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "cut.affdbm");
            File.WriteAllBytes(path, _model.Bytes[..^10]);
            var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new CpuBackend(), path).Dispose());
            Assert.Equal($"{path}: model file is truncated: expected 10 more bytes while reading the checksum", e.Message);
            var info = Assert.Throws<InvalidDataException>(() => ModelFile.ReadInfo(path));
            Assert.Equal(e.Message, info.Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_non_seekable_stream_loads_the_same_model()
    {
        using var loaded = ModelFile.Load(new CpuBackend(), new ForwardOnlyStream(_model.Bytes));
        Assert.Equal(ModelFile.Identity(_model.Dbm), ModelFile.Identity(loaded));
        Assert.Equal(ModelFile.Identity(_model.Dbm), ModelFile.ReadInfo(new ForwardOnlyStream(_model.Bytes)).Identity);

        // Saving needs no seeking either.
        var sink = new ForwardOnlyStream([]);
        ModelFile.Save(_model.Dbm, sink, TrainedTinyModel.Metadata);
        Assert.Equal(_model.Bytes, sink.Written.ToArray());
    }

    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);
        public MemoryStream Written { get; } = new();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }
}
