using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>Determinism, caching, and robustness of the generator itself.</summary>
public sealed class GeneratorBehaviourTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Source = """
        namespace App;

        [NetGen.Network("block.netgen.json")]
        public static partial class Block;
        """;

    private static readonly string BlockJson = Fixtures.Network("block.netgen.json");

    [Fact]
    public void The_same_description_gives_the_same_bytes_in_every_culture()
    {
        string invariant = GenerateIn(CultureInfo.InvariantCulture);
        Assert.Equal(invariant, GenerateIn(new CultureInfo("de-DE")));
        Assert.Equal(invariant, GenerateIn(new CultureInfo("tr-TR")));
        Assert.Equal(invariant, GenerateIn(new CultureInfo("ar-SA")));
        Assert.Contains("0.125f", invariant);
        Assert.DoesNotContain("0,125", invariant);
    }

    /// <summary>The golden networks under each strategy the golden files keep: the generated code, byte for byte.</summary>
    [Theory]
    [InlineData("lesson.g.cs", "lesson.netgen.json", "Lessons.Lesson", "")]
    [InlineData("lesson-kernel.g.cs", "lesson.netgen.json", "Lessons.Lesson", ", Strategy = NetGen.NetworkStrategy.Kernel")]
    [InlineData("lesson-vectorized.g.cs", "lesson.netgen.json", "Lessons.Lesson", ", Strategy = NetGen.NetworkStrategy.Vectorized")]
    [InlineData("block.g.cs", "block.netgen.json", "App.Block", "")]
    [InlineData("lesson-trainable.g.cs", "lesson.netgen.json", "Lessons.Lesson", ", Trainable = true")]
    [InlineData("block-trainable.g.cs", "block.netgen.json", "App.Block", ", Trainable = true")]
    public void The_golden_networks_generate_their_golden_files(string golden, string file, string className, string arguments)
    {
        string ns = className[..className.IndexOf('.')], name = className[(className.IndexOf('.') + 1)..];
        GeneratorRun run = GeneratorHarness.Run($"namespace {ns};\n[NetGen.Network(\"{file}\"{arguments})]\npublic static partial class {name};", ("/" + file, Fixtures.Network(file)));
        Assert.Empty(run.Diagnostics);
        Golden.Verify(golden, run.Source(className + ".g.cs").Replace(NetworkEmitterVersion, "VERSION"));
    }

    /// <summary>
    /// Every golden network compiles both ways the generator writes: C# 12 on .NET 10, and C# 9
    /// against netstandard2.1 and the runtime's netstandard2.1 build (Unity), where the planner
    /// turns vectorized loops into kernel calls and the Cache into a class of arrays.
    /// </summary>
    [Theory]
    [InlineData("lesson.netgen.json", "")]
    [InlineData("lesson.netgen.json", ", Strategy = NetGen.NetworkStrategy.Kernel")]
    [InlineData("lesson.netgen.json", ", Strategy = NetGen.NetworkStrategy.Vectorized")]
    [InlineData("block.netgen.json", "")]
    [InlineData("external.netgen.json", "")]
    [InlineData("digits.netgen.json", "")]
    [InlineData("block.netgen.json", ", Trainable = true")]
    [InlineData("external.netgen.json", ", Trainable = true")]
    [InlineData("digits.netgen.json", ", Trainable = true")]
    public void The_golden_networks_compile_as_CSharp_12_and_as_CSharp_9_for_netstandard2_1(string file, string arguments)
    {
        string source = $"namespace App\n{{\n    [NetGen.Network(\"{file}\"{arguments})]\n    public static partial class Net {{ }}\n}}\n";
        string weights = GeneratorHarness.WeightFileTable(("/app/external.weights.bin", 293124, "NetGen.Weights/external.weights.bin"));
        foreach (bool unity in new[] { false, true })
        {
            GeneratorRun run = GeneratorHarness.Run([source], [("/app/" + file, Fixtures.Network(file))], weightFiles: weights, unity: unity);
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompilerDiagnostics);
            var plan = run.Plan("Net");
            Assert.Equal(unity ? NetGen.Generator.Model.OutputLanguage.CSharp9 : NetGen.Generator.Model.OutputLanguage.CSharp12, plan.Language);
            string code = run.Source("App.Net.g.cs");
            if (unity)
            {
                Assert.DoesNotContain("InlineArray", code, StringComparison.Ordinal);
                Assert.DoesNotContain("System.Runtime.Intrinsics", code, StringComparison.Ordinal);
                Assert.DoesNotContain(plan.Steps, s => s.Strategy == NetGen.Generator.Lowering.LinearStrategy.Vectorized);
                Assert.Contains("public sealed class Cache", code, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_lesson_in_CSharp_9_generates_its_golden_file()
    {
        const string Source = "namespace Lessons\n{\n    [NetGen.Network(\"lesson.netgen.json\")]\n    public static partial class Lesson { }\n}\n";
        GeneratorRun run = GeneratorHarness.Run([Source], [("/lesson.netgen.json", Fixtures.Network("lesson.netgen.json"))], unity: true);
        Assert.Empty(run.Diagnostics);
        Golden.Verify("lesson-csharp9.g.cs", run.Source("Lessons.Lesson.g.cs").Replace(NetworkEmitterVersion, "VERSION"));
    }

    [Fact]
    public void A_project_below_CSharp_9_gets_NG0111_at_the_class_and_no_code()
    {
        var parse = GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp8);
        var compilation = CSharpCompilation.Create(
            "Old",
            [CSharpSyntaxTree.ParseText("namespace App\n{\n    [NetGen.Network(\"lesson.netgen.json\")]\n    public static partial class Lesson { }\n}\n", parse, path: "Old.cs")],
            GeneratorHarness.CreateCompilation().References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = GeneratorHarness.CreateDriver([new InMemoryAdditionalText("/lesson.netgen.json", Fixtures.Network("lesson.netgen.json"))], parseOptions: parse);
        var result = driver.RunGenerators(compilation).GetRunResult();
        Diagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0111", error.Id);
        Assert.Equal("Old.cs", error.Location.GetLineSpan().Path);
        Assert.Equal("NetGen's generated code needs C# 9 or later, and this project compiles C# 8.0: set <LangVersion>9</LangVersion> or later", error.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void A_network_with_its_weights_in_a_file_generates_its_golden_file()
    {
        string json = Fixtures.Network("external.netgen.json");
        GeneratorRun run = GeneratorHarness.Run(
            ["namespace App; [NetGen.Network(\"external.netgen.json\")] public static partial class External;"],
            [("/app/Networks/external.netgen.json", json)],
            weightFiles: GeneratorHarness.WeightFileTable(("/app/Networks/external.weights.bin", 293124, "NetGen.Weights/Networks/external.weights.bin")));
        Assert.Empty(run.Diagnostics);
        Golden.Verify("external.g.cs", run.Source("App.External.g.cs").Replace(NetworkEmitterVersion, "VERSION"));
    }

    [Fact]
    public void A_bad_NetGenStrategy_value_is_NG0110()
    {
        // Which strategy wins where is a decision of the plan: PlanTests.
        string json = Fixtures.Network("lesson.netgen.json");
        const string Source = "[NetGen.Network(\"lesson.netgen.json\", Strategy = NetGen.NetworkStrategy.Unrolled)] public static partial class Lesson;";
        GeneratorRun run = GeneratorHarness.Run([Source], [("/lesson.netgen.json", json)], strategy: "fast");
        Diagnostic error = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0110", error.Id);
        Assert.Equal(Location.None, error.Location);
        Assert.Equal("The MSBuild property NetGenStrategy: expected auto, unrolled, vectorized or kernel, found \"fast\"", error.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_lesson_in_attributes_generates_the_code_of_the_lesson_in_json()
    {
        const string attributes = """
            using NetGen;

            namespace Lessons;

            [Network(input: 2)]
            [Linear(3, "1 0; 0 1; -1 1", Activation = Activation.Relu)]
            [Linear(2, "1 -1 0; 0 1 -1", Activation = Activation.Relu)]
            [Linear(1, "2 -1", Activation = Activation.Sigmoid)]
            public static partial class Lesson;
            """;
        GeneratorRun run = GeneratorHarness.Run(attributes);
        Assert.Empty(run.Diagnostics);

        // Both forms go through the same checker, planner and emitters: the same code, but for
        // where the file says the network came from (and the JSON form's description line).
        string json = Fixtures.Network("lesson.netgen.json");
        string fromJson = GeneratorHarness.Run("namespace Lessons;\n[NetGen.Network(\"lesson.netgen.json\")]\npublic static partial class Lesson;", ("/lesson.netgen.json", json)).Source("Lessons.Lesson.g.cs");
        string fromAttributes = run.Source("Lessons.Lesson.g.cs");
        Assert.Contains("the attributes of Lesson in Source0.cs", fromAttributes);
        Assert.Equal(
            fromJson.Replace("lesson.netgen.json", "SOURCE").Split('\n').Where(l => !l.Contains("The network of the forward-pass lesson", StringComparison.Ordinal)),
            fromAttributes.Replace("the attributes of Lesson in Source0.cs", "SOURCE").Split('\n'));
    }

    [Fact]
    public void An_attribute_network_stays_cached_across_unrelated_edits()
    {
        const string attributes = "using NetGen;\n[Network(input: 2)]\n[Linear(1, \"2 -1\", Activation = Activation.Sigmoid)]\npublic static partial class Tiny;";
        var compilation = GeneratorHarness.CreateCompilation(attributes);
        GeneratorDriver driver = GeneratorHarness.CreateDriver([]).RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        AssertAllCachedOrUnchanged(driver.GetRunResult(), TrackingNames.Targets, TrackingNames.Units, TrackingNames.Plans);
    }

    [Fact]
    public void An_edit_of_the_classs_own_file_above_the_attribute_leaves_the_plan_and_the_code_cached()
    {
        const string attributes = "using NetGen;\n[Network(input: 2)]\n[Linear(1, \"2 -1\", Activation = Activation.Sigmoid)]\npublic static partial class Tiny;";
        var compilation = GeneratorHarness.CreateCompilation(attributes);
        GeneratorDriver driver = GeneratorHarness.CreateDriver([]).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText("// A comment that moves the class down.\n\n" + attributes, GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);

        // The class moved, so its target (which diagnostics locate) is read again; the checked
        // network and the plan hold no positions, so planning and emission are skipped.
        var tracked = driver.GetRunResult().Results.Single().TrackedSteps;
        Assert.Contains(tracked[TrackingNames.Targets].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        AssertAllCachedOrUnchanged(driver.GetRunResult(), TrackingNames.Plans);
    }

    [Fact]
    public void A_second_run_and_an_unrelated_edit_leave_every_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver([new InMemoryAdditionalText("/block.netgen.json", BlockJson)]);
        driver = driver.RunGenerators(compilation);

        driver = driver.RunGenerators(compilation);
        AssertAllCachedOrUnchanged(driver.GetRunResult());

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        AssertAllCachedOrUnchanged(driver.GetRunResult());
    }

    /// <summary>
    /// Two networks of 1 Mi weights each (1024 × 1024): one in base64 inside its description, one
    /// in a weight file. After the first run, a second run and an unrelated edit redo nothing.
    /// </summary>
    [Fact]
    public void Networks_of_a_million_weights_stay_cached_across_runs_and_unrelated_edits()
    {
        const int Size = 1024;
        var random = new Random(7);
        float[] weights = Enumerable.Range(0, Size * Size).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        string inline = $$"""{ "format": "netgen/1", "input": {{Size}}, "layers": [ { "op": "linear", "out": {{Size}}, "weight": {{JsonTensors.Base64([Size, Size], weights).ToJsonString()}} } ] }""";
        string external = $$"""{ "format": "netgen/1", "input": {{Size}}, "layers": [ { "op": "linear", "out": {{Size}}, "weight": { "shape": [{{Size}}, {{Size}}], "dtype": "f32", "file": "big.bin" } } ] }""";
        const string Sources = """
            [NetGen.Network("inline.netgen.json")] public static partial class Inline;
            [NetGen.Network("external.netgen.json")] public static partial class External;
            """;
        var compilation = GeneratorHarness.CreateCompilation(Sources);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(
            [new InMemoryAdditionalText("/m/inline.netgen.json", inline), new InMemoryAdditionalText("/m/external.netgen.json", external)],
            GeneratorHarness.WeightFileTable(("/m/big.bin", 4L * Size * Size, "NetGen.Weights/big.bin")));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        TimeSpan first = clock.Elapsed;
        Assert.Empty(driver.GetRunResult().Diagnostics);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);

        clock.Restart();
        driver = driver.RunGenerators(compilation);
        AssertAllCachedOrUnchanged(driver.GetRunResult());
        TimeSpan second = clock.Elapsed;

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        AssertAllCachedOrUnchanged(driver.GetRunResult());
        output.WriteLine($"first run {first.TotalMilliseconds:F0} ms, second run {second.TotalMilliseconds:F0} ms; generated {driver.GetRunResult().GeneratedTrees.Sum(t => t.Length) / 1024} KiB");
    }

    [Fact]
    public void A_whitespace_edit_of_the_description_leaves_the_output_unchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var original = new InMemoryAdditionalText("/block.netgen.json", BlockJson);
        GeneratorDriver driver = GeneratorHarness.CreateDriver([original]);
        driver = driver.RunGenerators(compilation);

        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText("/block.netgen.json", "\n\n  " + BlockJson.Replace(", ", ",   ")));
        driver = driver.RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        var description = result.TrackedSteps[TrackingNames.Descriptions].Single();
        Assert.Equal(IncrementalStepRunReason.Unchanged, description.Outputs.Single().Reason);
        AssertAllCachedOrUnchanged(driver.GetRunResult(), TrackingNames.Units, TrackingNames.Plans);
    }

    [Fact]
    public void Every_truncation_of_a_description_gives_diagnostics_and_never_an_exception()
    {
        for (int length = 0; length < BlockJson.Length; length += 7)
        {
            AssertDiagnosticsOrCode(BlockJson[..length]);
        }
    }

    /// <summary>Random one- to three-character edits of the block description, 100 per seed.</summary>
    [Theory]
    [InlineData(2026)]
    [InlineData(2027)]
    [InlineData(2028)]
    public void Mutated_descriptions_give_diagnostics_or_code_and_never_an_exception(int seed)
    {
        var random = new Random(seed);
        const string Replacements = "{}[]\",:-0123456789eE. \n\\ntfa";
        for (int i = 0; i < 100; i++)
        {
            char[] chars = BlockJson.ToCharArray();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                chars[random.Next(chars.Length)] = Replacements[random.Next(Replacements.Length)];
            }

            AssertDiagnosticsOrCode(new string(chars));
        }
    }

    private static void AssertDiagnosticsOrCode(string json)
    {
        GeneratorRun run = GeneratorHarness.Run(Source, ("/block.netgen.json", json));
        Assert.All(run.Result.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "NG0999");
        bool errors = run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(errors != run.Sources.Any(), errors ? "code was generated for a broken description" : "a description without errors generated nothing");
        Assert.All(run.Diagnostics, d => Assert.Equal("/block.netgen.json", d.Location.GetLineSpan().Path));
    }

    private static void AssertAllCachedOrUnchanged(GeneratorDriverRunResult result, params string[] steps)
    {
        var tracked = result.Results.Single().TrackedSteps;
        foreach (string name in steps.Length > 0 ? steps : [TrackingNames.WeightFiles, TrackingNames.ProjectOptions, TrackingNames.CompilationFacts, TrackingNames.Descriptions, TrackingNames.Targets, TrackingNames.Units, TrackingNames.Plans, TrackingNames.StrayLayers])
        {
            // StrayLayers has no run at all where no class has layer attributes without [Network].
            Assert.True(tracked.ContainsKey(name) || name == TrackingNames.StrayLayers, $"step {name} was not tracked");
            foreach (var output in tracked.TryGetValue(name, out var runs) ? runs.SelectMany(step => step.Outputs) : [])
            {
                Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {name} was {output.Reason}");
            }
        }
    }

    private static string GenerateIn(CultureInfo culture)
    {
        CultureInfo saved = CultureInfo.CurrentCulture, savedUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return GeneratorHarness.Run(Source, ("/block.netgen.json", BlockJson)).Source("App.Block.g.cs");
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }

    private static string NetworkEmitterVersion =>
        typeof(NetworkGenerator).Assembly.GetName().Version!.ToString(3);
}
