using Affect.Search.Compute;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Dbm;

/// <summary>
/// One layer of the multimodal DBM. The network is a tree: visible layers are leaves, the joint layer
/// is the root, and each non-root node is connected to its parent by <see cref="Weights"/>
/// (|this| x |parent|).
/// </summary>
public sealed class DbmNode
{
    internal DbmNode(string name, UnitLayer units, string modality, string? feature, DbmNode? parent)
    {
        Name = name;
        Units = units;
        Modality = modality;
        Feature = feature;
        Parent = parent;
        parent?._children.Add(this);
    }

    private readonly List<DbmNode> _children = new();

    /// <summary>Unique name: the feature name for a visible layer, "feature.hK" for pathway layers, "modality.joint", "joint".</summary>
    public string Name { get; }
    /// <summary>Unit type and size.</summary>
    public UnitLayer Units { get; }
    /// <summary>Number of units.</summary>
    public int Size => Units.Size;
    /// <summary>The modality this layer belongs to ("" for the joint layer).</summary>
    public string Modality { get; }
    /// <summary>The feature pathway this layer belongs to, null for joint layers.</summary>
    public string? Feature { get; }
    /// <summary>The layer above, null for the joint layer.</summary>
    public DbmNode? Parent { get; }
    /// <summary>The layers below.</summary>
    public IReadOnlyList<DbmNode> Children => _children;
    /// <summary>True for the data layers.</summary>
    public bool IsVisible => _children.Count == 0;
    /// <summary>Distance from the joint layer (0 at the root): layers of equal parity are conditionally independent.</summary>
    public int Depth => Parent is null ? 0 : Parent.Depth + 1;
    /// <summary>Longest distance down to a visible layer (0 for visible layers).</summary>
    public int Height => IsVisible ? 0 : _children.Max(c => c.Height) + 1;
    /// <summary>Index in <see cref="MultimodalDbm.Nodes"/>.</summary>
    public int Index { get; internal set; }

    /// <summary>Bias, 1 x Size.</summary>
    public FloatMatrix Bias { get; internal set; } = null!;
    /// <summary>Weights to the parent, Size x Parent.Size; null for the joint layer.</summary>
    public FloatMatrix? Weights { get; internal set; }

    /// <summary>Scale on this layer's bias: M when a child is a Replicated Softmax layer, else 1.</summary>
    public float BiasScale => _children.Count == 0 ? 1f : _children.Max(c => c.Units.ConnectedBiasScale);

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Units}";
}
