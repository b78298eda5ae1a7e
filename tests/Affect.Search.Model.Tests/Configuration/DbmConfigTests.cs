using Affect.Search.Model.Configuration;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Tests.Configuration;

public class DbmConfigTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("e-mdbm")]
    [InlineData("mdbm")]
    [InlineData("mdbm-cpu")]
    public void Every_preset_loads_and_round_trips_through_json(string name)
    {
        var config = Presets.Load(name);
        Assert.Equal(name, config.Name);
        var again = DbmConfig.FromJson(config.ToJson());
        Assert.Equal(config.ToJson(), again.ToJson());
        Assert.Contains(config.Modalities, m => m.Features.Any(f => f.Visible == UnitKind.ReplicatedSoftmax));
    }

    [Fact]
    public void The_paper_presets_differ_in_the_visual_pathways()
    {
        var emdbm = Presets.Load("e-mdbm").Modalities.Single(m => m.Name == "visual");
        var mdbm = Presets.Load("mdbm").Modalities.Single(m => m.Name == "visual");
        Assert.Equal(5, emdbm.Features.Count);
        Assert.Equal(2048, emdbm.JointSize);
        var concatenated = Assert.Single(mdbm.Features);
        Assert.Equal(emdbm.Features.Select(f => f.Name), concatenated.Features);
    }

    [Fact]
    public void Unknown_preset_names_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Load("huge"));
        Assert.Contains("cpu", e.Message);
    }

    [Theory]
    [InlineData("""{"name":"x","jointSize":0,"modalities":[{"name":"t","features":[{"name":"t","visible":"bernoulli","hidden":[2]}]}]}""", "jointSize")]
    [InlineData("""{"name":"x","modalities":[]}""", "no modalities")]
    [InlineData("""{"name":"x","modalities":[{"name":"v","features":[{"name":"a","hidden":[2]},{"name":"b","hidden":[2]}]}]}""", "jointSize for its own joint layer")]
    [InlineData("""{"name":"x","modalities":[{"name":"v","features":[{"name":"a","hidden":[]}]}]}""", "at least one hidden layer")]
    [InlineData("""{"name":"x","modalities":[{"name":"v","features":[{"name":"a","hidden":[2]}]},{"name":"w","features":[{"name":"a","hidden":[2]}]}]}""", "feature 'a' is defined twice")]
    [InlineData("""{"name":"x","modalities":[{"name":"v","features":[{"name":"a","hidden":[0]}]}]}""", "non-positive hidden size")]
    [InlineData("""{"name":"x", "modalities": [ }""", "not valid JSON")]
    public void Invalid_configs_are_refused_with_the_problem_named(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => DbmConfig.FromJson(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Input_sizes_come_from_the_data_unless_they_contradict_the_config()
    {
        var config = DbmConfig.FromJson("""{"name":"x","modalities":[{"name":"t","features":[{"name":"t","visible":"replicated-softmax","inputSize":10,"hidden":[2]}]},{"name":"a","features":[{"name":"a","hidden":[2]}]}]}""");
        var sized = config.WithInputSizes(new Dictionary<string, int> { ["a"] = 7, ["t"] = 10 });
        Assert.Equal(7, sized.Features.Single(f => f.Name == "a").InputSize);
        var e = Assert.Throws<InvalidDataException>(() => config.WithInputSizes(new Dictionary<string, int> { ["t"] = 12 }));
        Assert.Contains("inputSize 10 but the data has 12", e.Message);
    }
}
