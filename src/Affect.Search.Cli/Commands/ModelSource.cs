using Affect.Search.Model.Configuration;

namespace Affect.Search.Cli.Commands;

/// <summary>Resolves --preset / --config into a configuration.</summary>
internal static class ModelSource
{
    public static DbmConfig Resolve(string? preset, FileInfo? config, ulong? seed)
    {
        if (preset is not null && config is not null) throw new ArgumentException("give either --preset or --config, not both");
        var resolved = config is not null
            ? DbmConfig.FromJson(File.ReadAllText(config.FullName))
            : Presets.Load(preset ?? Presets.Default);
        return seed is { } s ? resolved with { Seed = s } : resolved;
    }
}
