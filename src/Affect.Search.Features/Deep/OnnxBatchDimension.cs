namespace Affect.Search.Features.Deep;

/// <summary>
/// Makes the leading (batch) dimension of an ONNX model's graph inputs and outputs symbolic. The ResNet-18
/// file is exported with a fixed batch of 1 ([1,3,224,224]), which ONNX Runtime enforces, so a batch of
/// keyframes could not run as one call; its operators themselves are batch-agnostic. The rewrite edits only
/// the graph's declared shapes (a minimal protobuf walk; initializers and nodes are copied byte for byte)
/// and drops the optional intermediate shape hints (<c>value_info</c>), which also fix the batch at 1.
/// </summary>
public static class OnnxBatchDimension
{
    private const string BatchName = "batch";

    /// <summary>The model bytes with every graph input's and output's first dimension made symbolic.</summary>
    public static byte[] MakeSymbolic(byte[] model)
    {
        using var output = new MemoryStream(model.Length + 64);
        Rewrite(model, output, (field, payload, sink) =>
        {
            if (field != 7) return false; // ModelProto.graph
            WriteLengthDelimited(sink, field, RewriteToArray(payload, (f, p, s) =>
            {
                if (f == 13) return true; // GraphProto.value_info: dropped (fixed-batch shape hints)
                if (f != 11 && f != 12) return false; // GraphProto.input / output
                WriteLengthDelimited(s, f, RewriteToArray(p, ValueInfo));
                return true;
            }));
            return true;
        });
        return output.ToArray();
    }

    // ValueInfoProto.type (2) -> TypeProto.tensor_type (1) -> Tensor.shape (2) -> first TensorShapeProto.dim (1).
    private static bool ValueInfo(int field, ReadOnlySpan<byte> payload, Stream sink)
    {
        if (field != 2) return false;
        WriteLengthDelimited(sink, field, RewriteToArray(payload, (f, p, s) =>
        {
            if (f != 1) return false;
            WriteLengthDelimited(s, f, RewriteToArray(p, (g, q, t) =>
            {
                if (g != 2) return false;
                var first = true;
                WriteLengthDelimited(t, g, RewriteToArray(q, (h, r, u) =>
                {
                    if (h != 1 || !first) return false;
                    first = false;
                    using var dim = new MemoryStream();
                    WriteLengthDelimited(dim, 2, System.Text.Encoding.UTF8.GetBytes(BatchName)); // Dimension.dim_param
                    WriteLengthDelimited(u, h, dim.ToArray());
                    return true;
                }));
                return true;
            }));
            return true;
        }));
        return true;
    }

    private delegate bool FieldRewriter(int field, ReadOnlySpan<byte> payload, Stream sink);

    private static byte[] RewriteToArray(ReadOnlySpan<byte> message, FieldRewriter rewriter)
    {
        using var sink = new MemoryStream(message.Length + 16);
        Rewrite(message, sink, rewriter);
        return sink.ToArray();
    }

    // Copies every field of a message; length-delimited fields go through the rewriter first, which
    // returns true when it wrote (or deliberately dropped) the field itself.
    private static void Rewrite(ReadOnlySpan<byte> message, Stream sink, FieldRewriter rewriter)
    {
        int position = 0;
        while (position < message.Length)
        {
            int start = position;
            ulong tag = ReadVarint(message, ref position);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: ReadVarint(message, ref position); break;
                case 1: position += 8; break;
                case 5: position += 4; break;
                case 2:
                    int length = checked((int)ReadVarint(message, ref position));
                    if (position + length > message.Length) throw new InvalidDataException("ONNX model is truncated (a field runs past the end)");
                    if (rewriter(field, message.Slice(position, length), sink)) { position += length; continue; }
                    position += length;
                    break;
                default: throw new InvalidDataException($"ONNX model has an unsupported protobuf wire type {wire}");
            }
            if (position > message.Length) throw new InvalidDataException("ONNX model is truncated");
            sink.Write(message[start..position]);
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new InvalidDataException("ONNX model is truncated (varint)");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("ONNX model has a malformed varint");
    }

    private static void WriteVarint(Stream sink, ulong value)
    {
        while (value >= 0x80) { sink.WriteByte((byte)(value | 0x80)); value >>= 7; }
        sink.WriteByte((byte)value);
    }

    private static void WriteLengthDelimited(Stream sink, int field, ReadOnlySpan<byte> payload)
    {
        WriteVarint(sink, ((ulong)field << 3) | 2);
        WriteVarint(sink, (ulong)payload.Length);
        sink.Write(payload);
    }
}
