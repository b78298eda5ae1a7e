using System.Text.Json;

namespace Affect.Search.Model.Training;

/// <summary>
/// One step of training progress: an epoch of an RBM in pretraining ("pretrain"), an epoch of joint
/// PCD ("joint"), a note ("info"), a layer's activity in the trained model ("activity", see
/// <see cref="LayerActivity"/>) or a problem the user should see ("warning"). Handlers may be called from several threads when pathways train
/// in parallel; <see cref="DbmTrainer"/> serialises the calls.
/// </summary>
/// <param name="Stage">"pretrain", "joint", "info", "activity" or "warning".</param>
/// <param name="Layer">The layer being trained (pretraining), or "dbm".</param>
/// <param name="Epoch">1-based epoch, 0 for notes.</param>
/// <param name="Epochs">Epochs in this stage for this layer.</param>
/// <param name="Metrics">Named figures (reconstruction error, free energies, gap, learning rate, seconds).</param>
/// <param name="Message">A note, for "info" events.</param>
public sealed record TrainingEvent(string Stage, string Layer, int Epoch, int Epochs, IReadOnlyDictionary<string, double> Metrics, string? Message = null)
{
    /// <summary>The event as one line of JSON (NaN written as null).</summary>
    public string ToJsonLine()
    {
        var metrics = Metrics.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null);
        return JsonSerializer.Serialize(new { stage = Stage, layer = Layer, epoch = Epoch, epochs = Epochs, metrics, message = Message });
    }
}

/// <summary>Writes training events as JSON Lines (one object per line), thread-safe.</summary>
public sealed class TrainingLog(TextWriter writer)
{
    private readonly object _gate = new();

    /// <summary>Appends an event.</summary>
    public void Write(TrainingEvent e)
    {
        lock (_gate)
        {
            writer.WriteLine(e.ToJsonLine());
            writer.Flush();
        }
    }
}
