using System;
using System.IO;
using System.Linq;
using NetGen.Generator.Lowering;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The planner's decisions, tested as data: golden text dumps of the golden networks' plans, and
/// assertions on the plan (strategy, fusion, storage, batch rows) rather than on generated C#.
/// </summary>
public sealed class PlanTests
{
    [Theory]
    [InlineData("block", "block.netgen.json", "")]
    [InlineData("lesson", "lesson.netgen.json", "")]
    [InlineData("lesson-kernel", "lesson.netgen.json", ", Strategy = NetGen.NetworkStrategy.Kernel")]
    [InlineData("lesson-vectorized", "lesson.netgen.json", ", Strategy = NetGen.NetworkStrategy.Vectorized")]
    [InlineData("digits", "digits.netgen.json", "")]
    public void The_golden_networks_have_their_golden_plans(string golden, string file, string arguments)
    {
        GeneratorRun run = GeneratorHarness.Run($"[NetGen.Network(\"{file}\"{arguments})] public static partial class Net;", ("/" + file, Fixtures.Network(file)));
        Assert.Empty(run.Diagnostics);
        Golden.Verify(golden + ".plan.txt", PlanWriter.Write(run.Plan("Net")));
    }

    [Fact]
    public void A_network_with_its_weights_in_a_file_has_its_golden_plan()
    {
        GeneratorRun run = GeneratorHarness.Run(
            ["[NetGen.Network(\"external.netgen.json\")] public static partial class Net;"],
            [("/app/Networks/external.netgen.json", Fixtures.Network("external.netgen.json"))],
            weightFiles: GeneratorHarness.WeightFileTable(("/app/Networks/external.weights.bin", 293124, "NetGen.Weights/Networks/external.weights.bin")));
        Assert.Empty(run.Diagnostics);
        Golden.Verify("external.plan.txt", PlanWriter.Write(run.Plan("Net")));
    }

    /// <summary>
    /// The digits network's layers (2,048, 512 and 160 multiply-adds) are above the unroll limit, so
    /// each strategy gives a different plan; auto vectorizes them.
    /// </summary>
    [Theory]
    [InlineData(null, "Vectorized")]
    [InlineData("auto", "Vectorized")]
    [InlineData("Kernel", "Kernel")]
    [InlineData("unrolled", "Unrolled")]
    [InlineData("vectorized", "Vectorized")]
    public void The_NetGenStrategy_property_forces_a_strategy_on_every_network(string? strategy, string strategyOfEveryLayer)
    {
        var expected = Enum.Parse<LinearStrategy>(strategyOfEveryLayer);
        GeneratorRun run = GeneratorHarness.Run(["[NetGen.Network(\"digits.netgen.json\")] public static partial class Net;"], [("/digits.netgen.json", Fixtures.Network("digits.netgen.json"))], strategy: strategy);
        Assert.Empty(run.Diagnostics);
        var linear = run.Plan("Net").Steps.Where(s => s.Kind == StepKind.Linear).ToList();
        Assert.Equal(3, linear.Count);
        Assert.All(linear, s => Assert.Equal(expected, s.Strategy));
        Assert.All(linear, s => Assert.Equal(expected != LinearStrategy.Kernel, s.Method.Length > 0));
    }

    [Fact]
    public void A_class_strategy_wins_over_the_project_property()
    {
        GeneratorRun run = GeneratorHarness.Run(
            ["[NetGen.Network(\"digits.netgen.json\", Strategy = NetGen.NetworkStrategy.Unrolled)] public static partial class Net;"],
            [("/digits.netgen.json", Fixtures.Network("digits.netgen.json"))],
            strategy: "kernel");
        var plan = run.Plan("Net");
        Assert.Equal(NetGen.Generator.Model.NetworkStrategy.Unrolled, plan.Strategy);
        Assert.All(plan.Steps.Where(s => s.Kind == StepKind.Linear), s => Assert.Equal(LinearStrategy.Unrolled, s.Strategy));

        // Every layer unrolled: ForwardBatch runs one sample at a time, and no weight is stored.
        Assert.False(plan.HasBatchCore);
        Assert.All(plan.Weights, w => Assert.Equal(WeightStorage.Inline, w.Storage));
    }

    [Fact]
    public void Activations_are_fused_where_the_code_path_can_apply_them()
    {
        var plan = GeneratorHarness.Run("[NetGen.Network(\"digits.netgen.json\")] public static partial class Net;", ("/digits.netgen.json", Fixtures.Network("digits.netgen.json"))).Plan("Net");
        var steps = plan.Steps;

        // linear → relu: the vectorized stores apply it in Forward and the kernel's epilogue in ForwardBatch.
        Assert.Equal(Fusion.Forward | Fusion.Batch, steps[0].Fuses);
        Assert.Equal("relu", steps[1].Function!.Name);

        // The last linear step feeds a softmax, which no store can apply.
        var last = steps.Last(s => s.Kind == StepKind.Linear);
        Assert.Equal(Fusion.None, last.Fuses);
        Assert.All(plan.Weights.Where(w => w.Shape.Count == 2), w => Assert.Equal(WeightStorage.Packed, w.Storage));
        Assert.Equal(NetworkPlanner.MaxBatchRows, plan.BatchRows);
    }

    [Fact]
    public void A_compilation_that_allows_unsafe_code_gets_SkipLocalsInit()
    {
        var compilation = GeneratorHarness.CreateCompilation("[NetGen.Network(\"lesson.netgen.json\")] public static partial class Net;");
        var unsafeCompilation = compilation.WithOptions(compilation.Options.WithAllowUnsafe(true));
        foreach (var (c, expected) in new[] { (compilation, false), (unsafeCompilation, true) })
        {
            var driver = GeneratorHarness.CreateDriver([new InMemoryAdditionalText("/lesson.netgen.json", Fixtures.Network("lesson.netgen.json"))]).RunGeneratorsAndUpdateCompilation(c, out var output, out var diagnostics);
            var run = new GeneratorRun(output, diagnostics, driver.GetRunResult());
            Assert.Empty(run.Diagnostics);
            Assert.Equal(expected, run.Plan("Net").SkipLocalsInit);
            Assert.Equal(expected, run.Source("Net.g.cs").Contains("[global::System.Runtime.CompilerServices.SkipLocalsInit]", StringComparison.Ordinal));
            Assert.Empty(run.CompilerDiagnostics);
        }
    }

    [Fact]
    public void The_plan_command_prints_the_same_text()
    {
        string path = Fixtures.NetworkPath("block.netgen.json");
        var output = new StringWriter();
        int exit = new NetGen.Cli.NetGenCli(output, new StringWriter()).Run(["plan", path]);
        Assert.Equal(0, exit);
        GeneratorRun run = GeneratorHarness.Run("[NetGen.Network(\"block.netgen.json\")] public static partial class Net;", ("/block.netgen.json", Fixtures.Network("block.netgen.json")));
        Assert.Equal(PlanWriter.Write(run.Plan("Net")), output.ToString().Replace("\r\n", "\n"));
    }
}
