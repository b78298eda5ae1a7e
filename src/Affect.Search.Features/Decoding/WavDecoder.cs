using System.Buffers.Binary;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Decoding;

/// <summary>
/// A managed RIFF/WAVE reader: integer PCM of 8 (unsigned), 16, 24 or 32 bits and IEEE float of 32 or 64 bits,
/// plain or WAVE_FORMAT_EXTENSIBLE, any number of channels (averaged to mono), resampled with
/// <see cref="Resampler"/> to the target rate. Unknown chunks (LIST, fact, cue, ...) are skipped.
/// <para>
/// Damage is refused, never papered over: a file too short for its headers, a missing fmt or data chunk, or a
/// fmt or data chunk that declares more bytes than the file holds (a cut-off download) throws a
/// <see cref="MediaDecodeException"/> naming the file and what is wrong. The one exception is a data size of
/// 0xFFFFFFFF, the placeholder streaming writers (ffmpeg to a pipe among them) leave: it means "to the end of
/// the file". A trailing partial sample frame is ignored.
/// </para>
/// <para>
/// Encodings other than PCM and float (A-law, mu-law, ADPCM, MP3-in-WAV, ...) and RF64 files throw a
/// <see cref="MediaDecodeException"/> whose <see cref="Exception.InnerException"/> is a
/// <see cref="NotSupportedException"/>; <see cref="MediaDecoder"/> hands those to ffmpeg. Thread-safe.
/// </para>
/// </summary>
public static class WavDecoder
{
    private const int FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;
    private const uint StreamingSize = 0xFFFFFFFF;
    private static ReadOnlySpan<byte> GuidTail => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>
    /// Decodes the WAV file at <paramref name="path"/> to mono at <paramref name="sampleRate"/> Hz, reading at most
    /// <paramref name="maxSeconds"/> seconds of audio (the file is streamed, so memory is bounded by the result).
    /// </summary>
    /// <exception cref="MediaDecodeException">The file is missing, unreadable, truncated, corrupt or of an unsupported encoding.</exception>
    public static AudioClip Decode(string path, int sampleRate = AudioClip.StandardSampleRate, double maxSeconds = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckArguments(sampleRate, maxSeconds);
        try
        {
            MediaFile.CheckReadable(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Decode(stream, path, sampleRate, maxSeconds);
        }
        catch (FileNotFoundException e) { throw new MediaDecodeException($"{path}: file not found", e); }
        catch (DirectoryNotFoundException e) { throw new MediaDecodeException($"{path}: file not found (no such directory)", e); }
        catch (UnauthorizedAccessException e) { throw new MediaDecodeException($"{path}: permission denied", e); }
        catch (IOException e) { throw new MediaDecodeException($"{path}: cannot read the file: {e.Message}", e); }
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> names them in messages.</summary>
    /// <exception cref="MediaDecodeException">The data is truncated, corrupt or of an unsupported encoding.</exception>
    public static AudioClip Decode(byte[] data, string name, int sampleRate = AudioClip.StandardSampleRate, double maxSeconds = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckArguments(sampleRate, maxSeconds);
        return Decode(new MemoryStream(data, writable: false), name, sampleRate, maxSeconds);
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> names them in messages.</summary>
    /// <exception cref="MediaDecodeException">The data is truncated, corrupt or of an unsupported encoding.</exception>
    public static AudioClip Decode(ReadOnlySpan<byte> data, string name, int sampleRate = AudioClip.StandardSampleRate, double maxSeconds = double.PositiveInfinity)
        => Decode(data.ToArray(), name, sampleRate, maxSeconds);

    private static void CheckArguments(int sampleRate, double maxSeconds)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), $"sample rate {sampleRate} is not positive");
        if (!(maxSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(maxSeconds), $"duration cap {maxSeconds} is not positive");
    }

    private readonly record struct Format(int Channels, int SampleRate, int ContainerBytes, bool Float);

    private static AudioClip Decode(Stream stream, string name, int sampleRate, double maxSeconds)
    {
        MediaDecodeException Bad(string what) => new($"{name}: {what}");
        long length = stream.Length;
        Span<byte> header = stackalloc byte[12];
        int got = stream.ReadAtLeast(header, 12, throwOnEndOfStream: false);
        if (got == 0) throw Bad("the WAV file is empty");
        if (got < 12) throw Bad($"not a WAV file: {got} bytes are too few for a RIFF/WAVE header");
        if (header[..4].SequenceEqual("RF64"u8) || header[..4].SequenceEqual("BW64"u8))
            throw new MediaDecodeException($"{name}: RF64 (64-bit) WAV files are not supported by the managed decoder", new NotSupportedException("RF64"));
        if (!header[..4].SequenceEqual("RIFF"u8)) throw Bad($"not a WAV file: no RIFF header (it starts with '{Printable(header[..4])}')");
        if (!header.Slice(8, 4).SequenceEqual("WAVE"u8)) throw Bad($"not a WAV file: a RIFF file of type '{Printable(header.Slice(8, 4))}', not WAVE");

        Format? format = null;
        long dataOffset = -1, dataSize = 0;
        long position = 12;
        Span<byte> chunk = stackalloc byte[8];
        while (position + 8 <= length)
        {
            stream.Position = position;
            stream.ReadExactly(chunk);
            var id = chunk[..4];
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            long body = position + 8, remaining = length - body;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16) throw Bad($"corrupt WAV: the fmt chunk is {size} bytes, fewer than the 16 it needs");
                if (size > remaining) throw Bad($"truncated WAV: the fmt chunk declares {size} bytes but only {remaining} remain in the file");
                var fmt = new byte[Math.Min(size, 40u)];
                stream.ReadExactly(fmt);
                format = ParseFormat(fmt, name);
            }
            else if (id.SequenceEqual("data"u8) && dataOffset < 0)
            {
                if (size == StreamingSize) size = (uint)Math.Min(remaining, uint.MaxValue - 1);
                else if (size > remaining)
                    throw Bad($"truncated WAV: the data chunk declares {size} bytes but only {remaining} remain in the file");
                dataOffset = body;
                dataSize = size;
                if (format is not null) break;
            }
            else if (size > remaining)
            {
                if (format is not null && dataOffset >= 0) break;      // a damaged trailer after everything needed
                throw Bad($"truncated WAV: chunk '{Printable(id)}' declares {size} bytes but only {remaining} remain in the file");
            }
            position = body + size + (size & 1);                        // chunks are padded to an even length
        }
        if (format is null) throw Bad(dataOffset >= 0 ? "corrupt WAV: no fmt chunk" : "corrupt or truncated WAV: no fmt chunk and no data chunk");
        if (dataOffset < 0) throw Bad("corrupt or truncated WAV: no data chunk");

        var f = format.Value;
        int frameBytes = f.ContainerBytes * f.Channels;
        long frames = dataSize / frameBytes;
        double capFrames = Math.Ceiling(maxSeconds * f.SampleRate);
        if (capFrames < frames) frames = (long)capFrames;
        if (frames > Array.MaxLength) throw Bad($"the WAV file holds {frames} samples, too many to decode at once");

        var mono = new float[frames];
        stream.Position = dataOffset;
        int framesPerBlock = Math.Max(1, (1 << 16) / frameBytes);
        var block = new byte[framesPerBlock * frameBytes];
        for (long done = 0; done < frames;)
        {
            int n = (int)Math.Min(framesPerBlock, frames - done);
            stream.ReadExactly(block, 0, n * frameBytes);
            MixDown(block.AsSpan(0, n * frameBytes), f, mono.AsSpan((int)done, n));
            done += n;
        }
        return new AudioClip(Resampler.Resample(mono, f.SampleRate, sampleRate), sampleRate);
    }

    private static Format ParseFormat(ReadOnlySpan<byte> fmt, string name)
    {
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40) throw new MediaDecodeException($"{name}: corrupt WAV: a WAVE_FORMAT_EXTENSIBLE fmt chunk of {fmt.Length} bytes, fewer than 40");
            var guid = fmt.Slice(24, 16);
            uint subFormat = BinaryPrimitives.ReadUInt32LittleEndian(guid);
            if (!guid[2..].SequenceEqual(GuidTail) || subFormat > 0xFFFF)
                throw Unsupported(name, $"WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)}");
            tag = (int)subFormat;
        }
        if (tag != FormatPcm && tag != FormatFloat) throw Unsupported(name, $"{EncodingName(tag)} encoding (format tag 0x{tag:X4})");
        if (channels == 0) throw new MediaDecodeException($"{name}: corrupt WAV: the fmt chunk gives 0 channels");
        if (rate == 0 || rate > 10_000_000) throw new MediaDecodeException($"{name}: corrupt WAV: the fmt chunk gives a sample rate of {rate} Hz");
        if (bits == 0 && blockAlign == 0) throw new MediaDecodeException($"{name}: corrupt WAV: the fmt chunk gives 0 bits per sample");
        // The container size comes from the block alignment when it is consistent (24-bit samples may sit in
        // 4-byte containers), else from the bit depth (some writers get block alignment wrong).
        int container = blockAlign > 0 && blockAlign % channels == 0 && blockAlign / channels * 8 >= bits ? blockAlign / channels : (bits + 7) / 8;
        bool isFloat = tag == FormatFloat;
        bool ok = isFloat ? container is 4 or 8 : container is >= 1 and <= 4;
        if (!ok) throw Unsupported(name, $"{(isFloat ? "float" : "PCM")} with {bits}-bit samples in {container}-byte containers");
        return new Format(channels, (int)rate, container, isFloat);
    }

    private static MediaDecodeException Unsupported(string name, string what)
        => new($"{name}: unsupported WAV encoding: {what}; the managed decoder reads PCM (8/16/24/32-bit) and IEEE float (32/64-bit)",
            new NotSupportedException(what));

    private static string EncodingName(int tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG",
        0x0055 => "MP3",
        0x00FF or 0x1610 => "AAC",
        _ => "an unsupported",
    };

    private static void MixDown(ReadOnlySpan<byte> data, Format f, Span<float> mono)
    {
        int size = f.ContainerBytes, channels = f.Channels;
        float scale = 1f / channels;
        int o = 0;
        for (int i = 0; i < mono.Length; i++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++, o += size) sum += Sample(data.Slice(o, size), size, f.Float);
            float v = (float)(sum * scale);
            mono[i] = float.IsFinite(v) ? Math.Clamp(v, -1f, 1f) : 0f;
        }
    }

    private static double Sample(ReadOnlySpan<byte> s, int size, bool isFloat) => (size, isFloat) switch
    {
        (4, true) => BinaryPrimitives.ReadSingleLittleEndian(s),
        (8, true) => BinaryPrimitives.ReadDoubleLittleEndian(s),
        (1, false) => (s[0] - 128) / 128.0,
        (2, false) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
        (3, false) => ((s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8) / 8388608.0,
        _ => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
    };

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        return new string(chars);
    }
}
