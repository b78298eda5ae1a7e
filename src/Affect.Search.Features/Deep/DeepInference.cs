using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace Affect.Search.Features.Deep;

/// <summary>
/// One ONNX Runtime session per network per process, shared by every thread (a session's Run is
/// thread-safe), keyed by the SHA-256 of the bytes it runs, so two extractors over the same file share its
/// weights and two different files never share a session.
/// </summary>
/// <remarks>
/// Threads: CorpusExtraction already runs one item per core, so each session call gets one intra-op thread
/// rather than competing for the same cores (not yet measured against the alternative); a lone query gets
/// the same setting. <see cref="IntraOpThreads"/> changes it for a process before the first session is
/// made. Sequential execution
/// and a fixed thread count keep results identical from run to run.
/// </remarks>
public static class DeepInference
{
    private static readonly ConcurrentDictionary<string, Lazy<InferenceSession>> Sessions = new(StringComparer.Ordinal);
    private static int _intraOpThreads = 1;

    /// <summary>Intra-op threads of sessions made from now on (default 1: items run in parallel instead).</summary>
    public static int IntraOpThreads
    {
        get => Volatile.Read(ref _intraOpThreads);
        set => Volatile.Write(ref _intraOpThreads, value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "at least one thread"));
    }

    /// <summary>The process's session for <paramref name="identity"/>; <paramref name="bytes"/> is called only to make it.</summary>
    public static InferenceSession Session(ModelFileIdentity identity, Func<byte[]> bytes)
    {
        var key = $"{identity.Sha256}/{IntraOpThreads}";
        return Sessions.GetOrAdd(key, _ => new Lazy<InferenceSession>(() =>
        {
            var options = new SessionOptions
            {
                IntraOpNumThreads = IntraOpThreads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            return new InferenceSession(bytes(), options);
        }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }
}
