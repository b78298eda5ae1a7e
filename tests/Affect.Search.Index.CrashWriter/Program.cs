using Affect.Search.Index;
using Affect.Search.Index.CrashWriter;

// Usage: CrashWriter <index folder> <seed> <batches>
// Runs the workload from the index's current generation on (generation g = g batches done), printing
// "committed <g>" after each commit, until <batches> are committed or the process is killed.
if (args.Length != 3) { Console.Error.WriteLine("usage: CrashWriter <folder> <seed> <batches>"); return 2; }
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
