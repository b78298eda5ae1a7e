using Lucene.Net.Index;

namespace Affect.Search.Index.Text;

/// <summary>
/// Keeps the newest <see cref="Keep"/> commits, so a <see cref="TextIndex"/> still open on the previous
/// generation keeps its files and an uncommitted-in-SQLite newer commit can still be rolled back from, and
/// every commit whose engine generation <see cref="PinnedGenerations"/> names (open readers' leases).
/// When the writer is opened on an older commit it also deletes every commit newer than that one at
/// start-up: otherwise the abandoned generation would linger and be found again by generation number.
/// </summary>
/// <remarks>
/// Lucene clones the policy into the writer's config, so the settings are plain fields that a memberwise
/// clone copies.
/// </remarks>
internal sealed class RecentCommitsDeletionPolicy : IndexDeletionPolicy
{
    /// <summary>How many commits to keep.</summary>
    public int Keep { get; init; } = 3;

    /// <summary>Lucene segments generation of the commit the writer was opened on; newer ones are deleted at init.</summary>
    public long? RollbackToSegmentsGeneration { get; init; }

    /// <summary>The engine generations open readers hold leases on, asked at every commit; null: none.</summary>
    public Func<IReadOnlySet<long>>? PinnedGenerations { get; init; }

    /// <summary>True when the writer rolls back to the empty generation 0: every existing commit is deleted at init.</summary>
    public bool DiscardAll { get; init; }

    public override void OnInit<T>(IList<T> commits)
    {
        if (DiscardAll)
        {
            foreach (var commit in commits) commit.Delete();
            return;
        }
        if (RollbackToSegmentsGeneration is { } target)
            foreach (var commit in commits)
                if (commit.Generation > target) commit.Delete();
        KeepNewest(commits);
    }

    public override void OnCommit<T>(IList<T> commits) => KeepNewest(commits);

    private void KeepNewest<T>(IList<T> commits) where T : IndexCommit
    {
        // Commits arrive oldest first; count survivors from the newest end.
        var pinned = PinnedGenerations?.Invoke();
        int kept = 0;
        for (int i = commits.Count - 1; i >= 0; i--)
        {
            if (commits[i].IsDeleted) continue;
            if (++kept > Keep && !(pinned is not null && TextIndexSchema.GenerationOf(commits[i]) is { } g && pinned.Contains(g)))
                commits[i].Delete();
        }
    }
}
