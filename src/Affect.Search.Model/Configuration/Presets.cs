namespace Affect.Search.Model.Configuration;

/// <summary>The network configurations shipped with the library (embedded JSON under Presets/).</summary>
public static class Presets
{
    /// <summary>Names of the shipped presets: "wide" (the training recipe on the low-level features), "cpu", "e-mdbm" (the paper's model), "mdbm" (the paper's baseline), "mdbm-cpu", "deep" (the wide recipe on the resnet18, audio-cnn and minilm deep features).</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "wide", "cpu", "e-mdbm", "mdbm", "mdbm-cpu", "deep" };

    /// <summary>
    /// The preset `affect train` and the benchmark's E-MDBM use unless told otherwise: the training recipe on
    /// the deep features, chosen over the same recipe on the low-level features ("wide") on the validation split
    /// (README, "The training recipe").
    /// </summary>
    public const string Default = "deep";

    /// <summary>Loads a preset by name.</summary>
    /// <exception cref="ArgumentException">no such preset; the message lists the known ones.</exception>
    public static DbmConfig Load(string name)
    {
        var stream = typeof(Presets).Assembly.GetManifestResourceStream($"Affect.Search.Model.Presets.{name}.json")
            ?? throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", Names)})");
        using var reader = new StreamReader(stream);
        return DbmConfig.FromJson(reader.ReadToEnd());
    }
}
