using Affect.Search.Engine.Corpus;
using Affect.Search.Engine.Embedding;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Extraction;
using Affect.Search.Index;
using Affect.Search.Model.Inference;

namespace Affect.Search.Engine.Search;

/// <summary>
/// Answers text, image, audio, video and multimodal queries against an index: the query's features go
/// through the model, mean-field inference fills in its missing modalities (spec section 4), and the
/// joint representation is ranked by cosine similarity against the chosen database view. Optionally fuses
/// with BM25 over the items' text (reciprocal rank fusion). Thread-safe.
/// </summary>
public sealed class QueryEngine : IDisposable
{
    private readonly ModelFolder _model;
    private readonly MultimodalIndex _index;
    // Built once: its filter banks and codebook lookups cost more than a text query's inference.
    private readonly FeatureExtractor _extractor;
    private readonly ModelModalities _modalities;

    /// <summary>Queries <paramref name="index"/> with <paramref name="model"/>; refuses an index built with another model.</summary>
    public QueryEngine(ModelFolder model, MultimodalIndex index)
    {
        index.Identity.Require(model.Identity, index.Folder);
        _model = model;
        _index = index;
        _extractor = new FeatureExtractor(model.Features, new MediaDecoder(), CorpusFeaturizer.FeaturesOf(model.Model.Config));
        _modalities = new ModelModalities(model.Model.Config);
    }

    /// <summary>The index searched.</summary>
    public MultimodalIndex Index => _index;

    /// <summary>Answers one query; a query that cannot be answered throws <see cref="QueryException"/>.</summary>
    public SearchResponse Search(Query query, SearchOptions? options = null)
    {
        var answers = SearchBatch([query], options);
        return answers[0].Response ?? throw new QueryException(answers[0].Error!);
    }

    /// <summary>
    /// Answers many queries with one inference and one vector search; each query gets a response, or the
    /// error that stopped it (the others go on).
    /// </summary>
    public IReadOnlyList<(SearchResponse? Response, string? Error)> SearchBatch(IReadOnlyList<Query> queries, SearchOptions? options = null)
    {
        options ??= new SearchOptions();
        if (SearchLimits.PageProblem(options.K, options.Offset) is { } page) throw new ArgumentOutOfRangeException(nameof(options), page);
        if (options.FusionDepth < 1) throw new ArgumentOutOfRangeException(nameof(options), $"fusion depth must be positive (got {options.FusionDepth})");
        var database = IndexViews.Parse(options.Database);
        // A view none of whose modalities the model reads holds no item (the indexer cannot embed one there).
        if (!_modalities.Views.Contains(database))
            throw new QueryException($"database view '{database}' cannot be searched: {_modalities.Lacking(database.First(c => !_modalities.Reads(c)))} "
                + $"(views of this model: {string.Join(", ", _modalities.Views)})");
        var embedded = Embed(queries, allowTextless: options.Hybrid, reconstruct: false);
        var rows = embedded.Where(e => e.Error is null && e.Row >= 0).ToList();
        // The fusion ranks a whole window of candidates from each retriever; the page bounds keep offset + k within it.
        int depth = options.Hybrid ? Math.Min(Math.Max(options.FusionDepth, options.Offset + options.K), SearchLimits.MaxResultWindow) : options.K;
        int offset = options.Hybrid ? 0 : options.Offset;
        var vectorHits = rows.Count == 0 ? [] : _index.SearchVectors(database, Rows(rows[0].Joint!, rows.Select(r => r.Row)), depth, offset, options.Filter);
        var answers = new List<(SearchResponse?, string?)>();
        int next = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var e = embedded[q];
            if (e.Error is not null) { answers.Add((null, e.Error)); continue; }
            IReadOnlyList<ItemHit> vector = e.Row >= 0 ? vectorHits[next++] : [];
            IReadOnlyList<SearchResult> results;
            if (!options.Hybrid)
                results = vector.Select((h, i) => Result(options.Offset + i + 1, h.Item, h.Score, null)).ToList();
            else
            {
                var text = string.IsNullOrWhiteSpace(queries[q].Text) ? [] : _index.SearchText(queries[q].Text!, depth, options.Filter);
                results = Fuse(vector, text, options);
            }
            answers.Add((new SearchResponse(queries[q], database, e.Modalities, results, e.Warnings), null));
        }
        return answers;
    }

    /// <summary>
    /// Video-to-text lookup: for a query without text, the nearest items of the T view (items represented
    /// by their text alone) and the words the model infers for the missing text, most probable first.
    /// </summary>
    public DescribeResponse Describe(Query query, int k = 10, int words = 10)
    {
        if (SearchLimits.PageProblem(k, 0) is { } page) throw new ArgumentOutOfRangeException(nameof(k), page);
        if (words < 0) throw new ArgumentOutOfRangeException(nameof(words), "words must not be negative");
        if (!_modalities.Reads('T')) throw new QueryException($"describe infers words for a query, but {_modalities.Lacking('T')}");
        var e = Embed([query], allowTextless: false, reconstruct: true)[0];
        if (e.Error is not null) throw new QueryException(e.Error);
        var hits = _index.SearchVectors("T", e.Joint!.AsSpan(0, _model.Embedder.Dimension), k)[0];
        var vocabulary = _model.Features.Vocabulary;
        var distribution = e.Words ?? throw new QueryException($"the model has no '{FeatureDataset.TextFeature}' input whose words could describe the query");
        var top = Enumerable.Range(0, distribution.Length).OrderByDescending(i => distribution[i]).ThenBy(i => i).Take(words)
            .Select(i => new InferredWord(vocabulary.Term(i), distribution[i])).ToList();
        return new DescribeResponse(query, e.Modalities, top, hits.Select((h, i) => Result(i + 1, h.Item, h.Score, null)).ToList(), e.Warnings);
    }

    /// <summary>
    /// The query's joint embedding (centred, as the index stores its items'), the modalities it was computed
    /// from and what was ignored; for uses beyond search, such as predicting a label from the embedding.
    /// </summary>
    public (float[] Embedding, string Modalities, IReadOnlyList<string> Warnings) EmbedQuery(Query query)
    {
        var e = Embed([query], allowTextless: false, reconstruct: false)[0];
        if (e.Error is not null) throw new QueryException(e.Error);
        int d = _model.Embedder.Dimension;
        return (e.Joint!.AsSpan(e.Row * d, d).ToArray(), e.Modalities, e.Warnings);
    }

    private sealed record Embedded(int Row, string Modalities, float[]? Joint, float[]? Words, IReadOnlyList<string> Warnings, string? Error);

    /// <summary>
    /// Features and joint embeddings of the queries, all rows of one data set so inference runs once.
    /// Row is -1 for a text query whose words are all unknown when <paramref name="allowTextless"/> (BM25 may still answer it).
    /// </summary>
    private List<Embedded> Embed(IReadOnlyList<Query> queries, bool allowTextless, bool reconstruct)
    {
        var features = new List<ItemFeatures>();
        var pending = new List<(int Query, List<string> Warnings)>();
        var result = new Embedded?[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            var query = queries[q];
            if (query.IsEmpty) { result[q] = Failed($"query {query.Id}: empty (give text, an image, audio or a video)"); continue; }
            string? missing = new[] { ("image", query.Image), ("audio", query.Audio), ("video", query.Video) }
                .Where(f => f.Item2 is not null).Select(f => MediaFile.KindOf(f.Item2!) switch
                {
                    FileEntryKind.RegularFile => null,
                    FileEntryKind.Missing => $"{f.Item1} file '{f.Item2}' does not exist",
                    _ => $"{f.Item1} '{f.Item2}' {MediaFile.NotRegularFileReason(f.Item2!)}",
                })
                .FirstOrDefault(m => m is not null);
            if (missing is not null) { result[q] = Failed($"query {query.Id}: {missing}"); continue; }
            var (unreadable, modalityWarnings) = Unreadable(query, allowTextless);
            if (unreadable is not null) { result[q] = Failed($"query {query.Id}: {unreadable}"); continue; }
            var item = new ManifestItem(query.Id, string.IsNullOrWhiteSpace(query.Text) ? null : query.Text, Full(query.Image), Full(query.Audio), Full(query.Video),
                new Dictionary<string, IReadOnlyList<string>>(), null, 0);
            var f = _extractor.Extract(item);
            // The extractor words text problems "text has ..."; anything else is a media file that failed to decode.
            var mediaProblems = f.Problems.Where(p => !p.StartsWith("text ", StringComparison.Ordinal)).ToList();
            if (mediaProblems.Count > 0) { result[q] = Failed($"query {query.Id}: {string.Join("; ", mediaProblems)}"); continue; }
            // A model that reads minilm embeds a text whose words are all outside the vocabulary through it (the
            // extractor says so in the problem); only the word counts are left out then.
            var warnings = f.Problems.Where(p => p.StartsWith("text ", StringComparison.Ordinal))
                .Select(p => f.Dense.ContainsKey(MiniLmSentenceEncoder.FeatureName) ? $"query {p} (its word counts are left out)" : $"query {p}; the text is left out of the embedding").ToList();
            warnings.AddRange(modalityWarnings);
            if (f.Words is { UnknownCount: > 0 } w)
                warnings.Add($"query words outside the vocabulary ignored: {string.Join(", ", w.UnknownTerms.Distinct().Take(10))}");
            if (f.IsEmpty)
            {
                if (allowTextless && item.Text is not null) { result[q] = new Embedded(-1, "", null, null, warnings, null); continue; }
                result[q] = Failed($"query {query.Id}: nothing usable: {string.Join("; ", f.Problems.DefaultIfEmpty("no modality the model reads"))}");
                continue;
            }
            pending.Add((q, warnings));
            features.Add(f);
        }
        if (features.Count > 0)
        {
            var data = FeatureDataset.Build(features, _extractor.DenseDimensions, _model.Features.Vocabulary.Size);
            var inferred = _model.Embedder.Inference.Infer(data, new InferenceOptions { Reconstruct = reconstruct });
            int vocabulary = _model.Features.Vocabulary.Size;
            var joint = _model.Embedder.Centre(inferred.Joint, data);
            for (int i = 0; i < pending.Count; i++)
            {
                var (q, warnings) = pending[i];
                float[]? words = reconstruct && inferred.Reconstructions.TryGetValue(FeatureDataset.TextFeature, out var r)
                    ? r.AsSpan(i * vocabulary, vocabulary).ToArray() : null;
                result[q] = new Embedded(i, _model.Embedder.ModalitiesOf(data, i), joint, words, warnings, null);
            }
        }
        return result.Select(r => r!).ToList();

        static Embedded Failed(string error) => new(-1, "", null, null, [], error);
        static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
    }

    /// <summary>
    /// What of a query the model has no pathway for: an error when the query gives a modality the model
    /// cannot read (an --audio query against a model trained on image+text pairs), warnings for what is
    /// only partly usable (a video's sound without an audio pathway; text without a text pathway in a
    /// hybrid search, where BM25 still ranks by it).
    /// </summary>
    private (string? Error, List<string> Warnings) Unreadable(Query query, bool hybrid)
    {
        var warnings = new List<string>();
        if (!string.IsNullOrWhiteSpace(query.Text) && !_modalities.Reads('T'))
        {
            if (!hybrid) return ($"a text query cannot be embedded: {_modalities.Lacking('T')} (model folder {_model.Folder})", warnings);
            warnings.Add($"{_modalities.Lacking('T')}: the query text is used by BM25 only");
        }
        if (query.Image is not null && !_modalities.Reads('V'))
            return ($"an image query cannot be embedded: {_modalities.Lacking('V')} (model folder {_model.Folder})", warnings);
        if (query.Audio is not null && !_modalities.Reads('A'))
            return ($"an audio query cannot be embedded: {_modalities.Lacking('A')} (model folder {_model.Folder})", warnings);
        if (query.Video is not null)
        {
            if (!_modalities.Reads('V') && !_modalities.Reads('A'))
                return ($"a video query cannot be embedded: the model '{_model.Model.Config.Name}' has neither a visual nor an audio pathway (model folder {_model.Folder})", warnings);
            if (!_modalities.Reads('A')) warnings.Add($"{_modalities.Lacking('A')}: the video's sound is left out");
            if (!_modalities.Reads('V')) warnings.Add($"{_modalities.Lacking('V')}: the video's pictures are left out");
        }
        return (null, warnings);
    }

    private float[] Rows(float[] joint, IEnumerable<int> rows)
    {
        int d = _model.Embedder.Dimension;
        return rows.SelectMany(r => joint.AsSpan(r * d, d).ToArray()).ToArray();
    }

    /// <summary>Reciprocal rank fusion of the joint-space and BM25 rankings, then the requested page.</summary>
    private static IReadOnlyList<SearchResult> Fuse(IReadOnlyList<ItemHit> vector, IReadOnlyList<ItemHit> text, SearchOptions options)
        => ReciprocalRankFusion.Fuse(vector, text, options.RrfK, h => h.Item.Id)
            .Skip(options.Offset).Take(options.K)
            .Select((f, i) => Result(options.Offset + i + 1, f.Hit.Item, (float)f.Score, new Explanation(f.FirstRank, f.First?.Score, f.SecondRank, f.Second?.Score)))
            .ToList();

    /// <inheritdoc />
    public void Dispose() => _extractor.Dispose();

    private static SearchResult Result(int rank, IndexedItem item, float score, Explanation? explain)
        => new(rank, item.Id, score, item.Text, item.Labels, item.Modalities, explain);
}
