namespace Affect.Search.Index.Tests.Text;

/// <summary>A fresh temporary directory for one test's text index, deleted afterwards.</summary>
internal sealed class TempIndexDirectory : IDisposable
{
    public string Path { get; } =
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "affect-text-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (IOException) { } // best effort: a leftover temp folder must not fail a test
    }
}
