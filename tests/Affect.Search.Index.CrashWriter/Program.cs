using Affect.Search.Index;
using Affect.Search.Index.CrashWriter;

// Usage:
//   CrashWriter <index folder> <seed> <batches>
//     Runs the crash workload from the index's current generation on (generation g = g batches done),
//     printing "committed <g>" after each commit, until <batches> are committed or the process is killed.
//   CrashWriter churn-write <index folder> <seed> <max commits> <stop file>
//     Commits one operation at a time (ChurnWorkload), printing "committed <g>", until the stop file exists.
//   CrashWriter churn-read <index folder> <seed> <opens> <until generation>
//     Opens, searches and closes the index in a loop; prints "opens <n> failures <f>" and the first errors.
if (args.Length == 5 && args[0] == "churn-write")
{
    string stopFile = args[4];
    using var churnWriter = MultimodalIndexWriter.Open(args[1], CrashWorkload.Identity, ChurnWorkload.Settings);
    ChurnWorkload.Write(churnWriter, int.Parse(args[2]), long.Parse(args[3]), () => File.Exists(stopFile), g =>
    {
        Console.WriteLine($"committed {g}");
        Console.Out.Flush();
    });
    return 0;
}
if (args.Length == 5 && args[0] == "churn-read")
{
    var report = ChurnWorkload.Read(args[1], int.Parse(args[2]), int.Parse(args[3]), long.Parse(args[4]));
    Console.WriteLine($"opens {report.Opens} failures {report.Failures} generations {report.FirstGeneration}..{report.LastGeneration}");
    foreach (var error in report.Errors) Console.WriteLine($"error {error}");
    return 0;
}
if (args.Length != 3) { Console.Error.WriteLine("usage: CrashWriter <folder> <seed> <batches> | churn-write ... | churn-read ..."); return 2; }
int seed = int.Parse(args[1]), batches = int.Parse(args[2]);
// A low HNSW threshold and compaction make the structural rewrites (flat to HNSW, rebuilds) happen too.
var settings = new IndexSettings { HnswThreshold = 40, CompactionThreshold = 0.2 };
using var writer = MultimodalIndexWriter.Open(args[0], CrashWorkload.Identity, settings);
for (long b = writer.Generation; b < batches; b++)
{
    foreach (var (id, item) in CrashWorkload.Batch(seed, (int)b))
        if (item is null) writer.Delete(id);
        else writer.Upsert(item);
    writer.Commit($"batch {b}");
    Console.WriteLine($"committed {writer.Generation}");
    Console.Out.Flush();
}
return 0;
