using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Xunit.Abstractions;
using static Affect.Search.Model.Tests.Dbm.DbmTestKit;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// The mean-field free energy used to monitor joint training, against the exact free energy
/// F(v) = -log sum_h exp(-E(v, h)) by enumeration: it is an upper bound (variational), tight at small weights.
/// </summary>
public sealed class DbmFreeEnergyTests(ITestOutputHelper output) : IDisposable
{
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    private static readonly double[][] V4 = [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]];

    [Theory]
    [InlineData(0.05f, 1e-3)]
    [InlineData(1.0f, double.PositiveInfinity)]
    public void Mean_field_free_energy_bounds_the_exact_one_and_is_tight_at_small_weights(float std, double tolerance)
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, std, std, 33);
        var exact = ExactDbm.FromModel(dbm);
        var features = new Dictionary<string, double[][]> { ["a"] = V4 };
        var rows = Enumerable.Range(0, V4.Length).ToArray();
        using var batch = new MeanFieldBatch(dbm, dbm.Prepare(Dataset(features)), rows);
        var inference = new MeanFieldInference(dbm);
        using var state = inference.Run(batch, 100);
        var variational = inference.FreeEnergy(state, batch);
        for (int r = 0; r < rows.Length; r++)
        {
            double exactFreeEnergy = -exact.Expectations(Observation(features, r)).LogMass;
            output.WriteLine($"std {std} row {r}: mean-field {variational[r]:F6} exact {exactFreeEnergy:F6}");
            Assert.True(variational[r] >= exactFreeEnergy - 1e-4, $"row {r}: {variational[r]} is below the exact free energy {exactFreeEnergy}");
            Assert.True(variational[r] - exactFreeEnergy < tolerance, $"row {r}: gap {variational[r] - exactFreeEnergy}");
        }
    }
}
