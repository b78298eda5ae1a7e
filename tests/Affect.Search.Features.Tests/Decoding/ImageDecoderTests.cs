using System.Buffers.Binary;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Decoding;

[Collection(MediaCollection.Name)]
public sealed class ImageDecoderTests(MediaFixture media)
{
    private static void AssertSolid(RgbImage image, int width, int height, byte r, byte g, byte b, int tolerance = 0)
    {
        Assert.Equal((width, height), (image.Width, image.Height));
        for (int i = 0; i < width * height; i++)
        {
            Assert.InRange(image.Pixels[3 * i], r - tolerance, r + tolerance);
            Assert.InRange(image.Pixels[3 * i + 1], g - tolerance, g + tolerance);
            Assert.InRange(image.Pixels[3 * i + 2], b - tolerance, b + tolerance);
        }
    }

    [Theory]
    [InlineData("solid.png")]
    [InlineData("solid.bmp")]
    [InlineData("solid.tga")]
    [InlineData("solid-rle.tga")]
    public void Lossless_formats_decode_exactly(string name)
        => AssertSolid(ImageDecoder.Decode(media.Path(name)), 24, 16, 0x33, 0x66, 0xCC);

    [Fact]
    public void Jpeg_and_the_first_gif_frame_decode()
    {
        var jpeg = ImageDecoder.Decode(media.Path("pattern.jpg"));
        Assert.Equal((64, 48), (jpeg.Width, jpeg.Height));
        Assert.True(jpeg.Pixels.Distinct().Count() > 10, "the test pattern is not uniform");
        var gif = ImageDecoder.Decode(media.Path("red.gif"));
        Assert.Equal((16, 8), (gif.Width, gif.Height));
        Assert.All(Enumerable.Range(0, 16 * 8), i => Assert.True(gif.Pixels[3 * i] > 200 && gif.Pixels[3 * i + 1] < 40 && gif.Pixels[3 * i + 2] < 40));
        var first = ImageDecoder.Decode(media.Path("animated.gif"));
        Assert.Equal((64, 48), (first.Width, first.Height));
    }

    [Fact]
    public void Transparent_pixels_are_blended_onto_white()
    {
        AssertSolid(ImageDecoder.Decode(media.Path("half-red.png")), 8, 8, 255, 128, 128, tolerance: 1);
        AssertSolid(ImageDecoder.Decode(media.Path("clear.png")), 8, 8, 255, 255, 255);
    }

    [Fact]
    public void Bytes_in_memory_decode_like_the_file()
    {
        var bytes = media.Bytes("solid.png");
        Assert.Equal(ImageDecoder.Decode(media.Path("solid.png")).Pixels, ImageDecoder.Decode(bytes, "solid.png").Pixels);
        Assert.Equal(ImageDecoder.Decode(bytes, "x").Pixels, ImageDecoder.Decode(new ReadOnlySpan<byte>(bytes), "x").Pixels);
    }

    [Theory]
    [InlineData("solid.png")]
    [InlineData("pattern.jpg")]
    [InlineData("solid.bmp")]
    [InlineData("red.gif")]
    [InlineData("solid.tga")]
    [InlineData("solid-rle.tga")]
    public void Truncated_images_are_refused_naming_the_file(string name)
    {
        foreach (double fraction in new[] { 0.5, 0.75 })
        {
            var path = media.Truncated(name, fraction);
            var e = Assert.Throws<MediaDecodeException>(() => ImageDecoder.Decode(path));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void A_gif_cut_after_its_first_frame_still_gives_that_frame()
    {
        var gif = media.Bytes("animated.gif");
        var first = ImageDecoder.Decode(gif, "animated.gif");
        var cut = ImageDecoder.Decode(gif[..(gif.Length / 2)], "half.gif");
        Assert.Equal(first.Pixels, cut.Pixels);
        Assert.Contains("truncated", Assert.Throws<MediaDecodeException>(() => ImageDecoder.Decode(gif[..120], "start.gif")).Message);
    }

    [Fact]
    public void A_damaged_png_fails_its_checksum()
    {
        var png = media.Bytes("half-red.png");
        int idat = png.AsSpan().IndexOf("IDAT"u8);
        png[idat + 6] ^= 0x55;
        var e = Assert.Throws<MediaDecodeException>(() => ImageDecoder.Decode(png, "damaged.png"));
        Assert.Equal("damaged.png: Png image is corrupt: CRC mismatch in chunk 'IDAT' at byte " + (idat - 4), e.Message);
    }

    [Fact]
    public void Garbage_empty_missing_and_other_formats_are_refused_with_a_reason()
    {
        string Fail(string path) => Assert.Throws<MediaDecodeException>(() => ImageDecoder.Decode(path)).Message;
        var garbage = media.Garbage("garbage.png");
        Assert.Equal($"{garbage}: not a supported image (no known image signature); supported formats are PNG, JPEG, BMP, GIF and TGA", Fail(garbage));
        Assert.Contains("the file is empty", Fail(media.Write("empty.png", [])));
        Assert.Equal($"{media.Path("nope.png")}: file not found", Fail(media.Path("nope.png")));
        Assert.Contains("WebP images are not supported by the managed decoder", Fail(media.Path("half-red.webp")));
        Assert.Contains("a WAV audio file", Fail(media.Write("sound.png", TestWav.Write(WavEncoding.Pcm16, 1, 8000, 10, (_, _) => 0))));
        // TGA has no signature: only a .tga name lets it through.
        Assert.Contains("not a supported image", Fail(media.Write("solid-tga.bin", media.Bytes("solid.tga"))));
    }

    [Fact]
    public void An_image_too_large_to_decode_is_refused_before_decoding()
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, 10_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 10_000);
        header[8] = 8;
        header[9] = 6;
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", header), .. Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00]), .. Chunk("IEND", [])];
        var e = Assert.Throws<MediaDecodeException>(() => ImageDecoder.Decode(png, "bomb.png"));
        Assert.Equal($"bomb.png: 10000x10000 image exceeds the limit of {ImageDecoder.MaxPixels} pixels", e.Message);
    }

    private static byte[] Chunk(string type, byte[] body)
    {
        var chunk = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        body.CopyTo(chunk, 8);
        uint crc = 0xFFFFFFFF;
        foreach (byte b in chunk.AsSpan(4, 4 + body.Length))
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), ~crc);
        return chunk;
    }
}
