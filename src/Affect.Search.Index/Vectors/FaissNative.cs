using System.Runtime.InteropServices;

namespace Affect.Search.Index.Vectors;

/// <summary>P/Invoke declarations of <c>native/affect_faiss.cpp</c> (libaffect_faiss.so).</summary>
internal static partial class FaissNative
{
    public const string Library = "affect_faiss";
    public const string FileName = "libaffect_faiss.so";

    private static readonly Lazy<Exception?> LoadFailure = new(ProbeLibrary);

    /// <summary>Throws a <see cref="DllNotFoundException"/> that says how to get the shim when it cannot be loaded.</summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
            throw new DllNotFoundException(
                $"The Faiss shim {FileName} could not be loaded ({failure.Message}). It is compiled by the build of " +
                "src/Affect.Search.Index (native/FaissShim.targets) and copied next to Affect.Search.Index.dll in every " +
                "output directory; that needs Linux with g++, libfaiss-dev and libopenblas-dev: run 'sudo tools/setup.sh' " +
                "and rebuild.", failure);
    }

    private static Exception? ProbeLibrary()
    {
        try
        {
            // The same resolution the runtime uses for [LibraryImport(Library)]: the assembly's directory, then the system.
            var handle = NativeLibrary.Load(Library, typeof(FaissNative).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories);
            if (!NativeLibrary.TryGetExport(handle, "affect_faiss_search_subset", out _))
                return new EntryPointNotFoundException($"{FileName} is out of date (no affect_faiss_search_subset); rebuild src/Affect.Search.Index");
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return e;
        }
    }

    /// <summary>The calling thread's message of the last failed shim call.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8(affect_faiss_last_error()) ?? "unknown error";

    [LibraryImport(Library)]
    private static partial IntPtr affect_faiss_last_error();

    [LibraryImport(Library)]
    public static partial int affect_faiss_create(int dimension, int kind, int hnswM, int efConstruction, out IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int affect_faiss_read(string path, out IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int affect_faiss_write(FaissHandle handle, string path);

    [LibraryImport(Library)]
    public static partial void affect_faiss_free(IntPtr handle);

    [LibraryImport(Library)]
    public static partial int affect_faiss_info(FaissHandle handle, out int kind, out int dimension, out long count, out int hnswM, out int isTrained);

    [LibraryImport(Library)]
    public static partial int affect_faiss_ntotal(FaissHandle handle, out long count);

    [LibraryImport(Library)]
    public static unsafe partial int affect_faiss_train(FaissHandle handle, long n, float* x);

    [LibraryImport(Library)]
    public static unsafe partial int affect_faiss_add(FaissHandle handle, long n, float* x);

    [LibraryImport(Library)]
    public static unsafe partial int affect_faiss_search(FaissHandle handle, long nq, float* x, long k, int efSearch,
        byte* bitmap, long bitmapBytes, float* distances, long* labels);

    [LibraryImport(Library)]
    public static unsafe partial int affect_faiss_search_subset(FaissHandle handle, long nq, float* x, long k,
        long* ids, long nids, float* distances, long* labels);

    [LibraryImport(Library)]
    public static unsafe partial int affect_faiss_reconstruct(FaissHandle handle, long position, float* output);

    [LibraryImport(Library)]
    public static partial int affect_faiss_memory_bytes(FaissHandle handle, out long bytes);

    [LibraryImport(Library)]
    public static partial int affect_faiss_max_threads();
}

/// <summary>Owns a shim index handle; freed once no call is using it.</summary>
internal sealed class FaissHandle : SafeHandle
{
    public FaissHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public FaissHandle(IntPtr handle) : this() => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        FaissNative.affect_faiss_free(handle);
        return true;
    }
}

/// <summary>A Faiss (or shim) failure; <see cref="Exception.Message"/> carries Faiss's own message.</summary>
public sealed class FaissException : Exception
{
    public FaissException(string message) : base(message) { }
    public FaissException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The shim's status code (1 Faiss error, 2 invalid argument, 3 out of memory, 4 other).</summary>
    public int Status { get; init; }
}
