using Affect.Search.Evaluation.Retrieval;

namespace Affect.Search.Evaluation.Tests.Retrieval;

public sealed class HubnessTests
{
    [Fact]
    public void Hub_share_counts_the_lists_holding_the_most_frequent_reference()
    {
        // "hub" is in 3 of 4 lists; 8 slots in all.
        IReadOnlyList<string>[] lists = [["hub", "a"], ["b", "hub"], ["hub", "c"], ["d", "e"]];
        var h = Hubness.Of(lists);
        Assert.Equal(0.75, h.HubShare, 12);
        // The ten most frequent references are all 6 distinct ones here: every slot.
        Assert.Equal(1.0, h.TopTenSlotShare, 12);
    }

    [Fact]
    public void Top_ten_slot_share_counts_the_slots_of_the_ten_most_frequent_references()
    {
        // 20 lists of 20: ten references in every list fill half of the slots; the other half are all distinct.
        var lists = Enumerable.Range(0, 20).Select(q => (IReadOnlyList<string>)Enumerable.Range(0, 10).Select(r => $"hub{r}")
            .Concat(Enumerable.Range(0, 10).Select(r => $"q{q}-{r}")).ToList()).ToList();
        var h = Hubness.Of(lists);
        Assert.Equal(1.0, h.HubShare, 12);
        Assert.Equal(0.5, h.TopTenSlotShare, 12);
        // Only the top 20 of a longer list count.
        Assert.Equal(0.5, Hubness.Of(lists.Select(l => (IReadOnlyList<string>)[.. l, "extra"])).TopTenSlotShare, 12);
    }

    [Fact]
    public void No_lists_is_not_measured()
        => Assert.True(double.IsNaN(Hubness.Of([]).HubShare));
}
