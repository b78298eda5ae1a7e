using System.Globalization;

namespace Affect.Search.Evaluation.Trec;

/// <summary>
/// Writes runs and relevance judgements in the standard TREC formats, so that rankings can be checked with
/// trec_eval independently of this project's own metrics. Lines end with "\n" whatever the platform, and ids
/// may not contain whitespace (the formats are whitespace-separated columns).
/// </summary>
public static class TrecFormat
{
    /// <summary>
    /// Writes standard TREC run lines "qid Q0 docid rank score runname", rank 1-based, in the given order.
    /// trec_eval ignores the rank column and re-sorts each query by score (descending, ties by docid), so the
    /// score column is chosen to make that sort reproduce the given order exactly: for a list of n documents,
    /// the document at rank r scores n - r + 1 (an integer, so no rounding can create ties). Scores are
    /// therefore only meaningful within one query. A document listed twice for a query is refused, since
    /// trec_eval rejects such runs.
    /// </summary>
    public static void WriteRun(TextWriter writer, string runName, IEnumerable<(string QueryId, IReadOnlyList<string> RankedDocumentIds)> run)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(run);
        CheckId(runName, "run name");
        foreach (var (queryId, documents) in run)
        {
            CheckId(queryId, "query id");
            if (documents is null) throw new ArgumentException($"query '{queryId}' has no ranked list (null)", nameof(run));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < documents.Count; i++)
            {
                var doc = documents[i];
                CheckId(doc, "document id");
                if (!seen.Add(doc)) throw new ArgumentException($"document id '{doc}' is ranked twice for query '{queryId}'", nameof(run));
                int rank = i + 1;
                int score = documents.Count - i;
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{queryId} Q0 {doc} {rank} {score} {runName}\n"));
            }
        }
    }

    /// <summary>
    /// Writes standard qrels lines "qid 0 docid 1" for every relevant document (binary relevance), in the given
    /// order. A document listed twice for a query is refused.
    /// </summary>
    public static void WriteQrels(TextWriter writer, IEnumerable<(string QueryId, IEnumerable<string> RelevantDocumentIds)> qrels)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(qrels);
        foreach (var (queryId, documents) in qrels)
        {
            CheckId(queryId, "query id");
            if (documents is null) throw new ArgumentException($"query '{queryId}' has no relevant list (null)", nameof(qrels));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var doc in documents)
            {
                CheckId(doc, "document id");
                if (!seen.Add(doc)) throw new ArgumentException($"document id '{doc}' is judged twice for query '{queryId}'", nameof(qrels));
                writer.Write($"{queryId} 0 {doc} 1\n");
            }
        }
    }

    private static void CheckId(string? id, string what)
    {
        if (id is null) throw new ArgumentException($"a {what} is null");
        if (id.Length == 0) throw new ArgumentException($"a {what} is empty");
        foreach (var c in id)
            if (char.IsWhiteSpace(c))
                throw new ArgumentException($"{what} '{id}' contains whitespace, which would split it across TREC columns");
    }
}
