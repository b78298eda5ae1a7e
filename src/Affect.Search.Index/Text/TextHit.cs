namespace Affect.Search.Index.Text;

/// <summary>One BM25 hit of the text index: the item id and its score.</summary>
public readonly record struct TextHit(string Id, float Score);
