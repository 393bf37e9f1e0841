using System.Globalization;
using Microsoft.CodeAnalysis;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>Errors of the attribute form: at the attribute argument, and inside a tensor string at the number.</summary>
public sealed class AttributeDiagnosticTests
{
    /// <summary>Each case is the attribute lines of a class; '»' marks where the diagnostic must start.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "[Network(input: 2)]\n[Linear(1, \"1 »1e39\")]", "NG0009", "an element of weight: expected a finite float32 value, found 1e39 (it rounds to infinity in float32)" },
        { "[Network(input: 2)]\n[Linear(1, \"1 »x2\")]", "NG0005", "Expected a number for an element of weight, found 'x2'" },
        { "[Network(input: 2)]\n[Linear(2, \"1 0; »0\")]", "NG0008", "row 2 of weight: expected 2 elements (every row as long as the first), found 1" },
        { "[Network(input: 2)]\n[Linear(1, \"1 1\", Bias = »\"1; 2\")]", "NG0008", "Bias: expected a vector (numbers without ';'), found a matrix of 2 rows" },
        { "[Network(input: 2)]\n[Linear(1, »\"1 1 1\")]", "NG0007", "layer 1 (linear) \"weight\": expected 2 columns (the size of this layer's input), found 3 columns" },
        { "[Network(input: 2)]\n[Linear(»0, \"1 1\")]", "NG0012", "outFeatures: expected an integer from 1 to 16777216, found 0" },
        { "[Network(input: »0)]\n[Relu]", "NG0012", "the input size: expected an integer from 1 to 16777216, found 0" },
        { "[»Network(input: 2)]", "NG0012", "the network: expected at least one layer attribute after [Network], found none" },
        { "[Network(input: 2)]\n[LayerNorm(Eps = »0)]", "NG0012", "Eps: expected a positive number, found 0" },
        { "[Network(input: 2)]\n[LeakyRelu(Alpha = »float.NaN)]", "NG0009", "Alpha: expected a finite float32 value, found NaN" },
        { "[Network(input: 2)]\n[Dropout(P = »1f)]", "NG0012", "P: expected a probability in [0, 1), found 1" },
        { "[Network(input: 2)]\n[Linear(1, \"1 1\", Activation = »(Activation)42)]", "NG0012", "Activation: expected a value of NetGen.Activation, found 42" },
        { "[Network(input: 2)]\n[Relu(Name = »\"2x\")]", "NG0010", "Invalid name \"2x\"" },
        { "[Network(input: 2)]\n[Relu(Name = \"a\")]\n[Tanh(Name = »\"a\")]", "NG0011", "The cache field \"a\" is defined twice" },
        { "[Network(input: 2)]\n[»Residual]\n[Relu]", "NG0108", "Expected an [EndResidual] closing this [Residual], found none before the end of the class's attributes" },
        { "[Network(input: 2)]\n[Relu]\n[»EndResidual]", "NG0108", "Expected [EndResidual] closing an open [Residual], found no open [Residual]" },
        { "[Network(input: 2)]\n[»Residual]\n[EndResidual]", "NG0012", "the residual block: expected at least one layer before [EndResidual], found none" },
        { "[Network(input: 2)]\n[»Residual]\n[Linear(3, \"1 1; 1 1; 1 1\")]\n[EndResidual]", "NG0007", "expected inner layers that keep the size 2 (y = x + f(x)), found layers that end with size 3" },
        { "[Network(\"net.netgen.json\")]\n[»Relu]", "NG0106", "'Net' names a description file in [Network(\"net.netgen.json\")] and also has layer attributes" },
        { "[»Relu]", "NG0107", "'Net' has layer attributes but no [Network(input: n)]" },
        { "[Network(input: 2, Gpu = GpuLayers.Large, GpuMinWeights = »0)]\n[Relu]", "NG0012", "GpuMinWeights: expected a positive number of weights, found 0" },
        { "[Network(\"net.netgen.json\", GpuMinWeights = »-5)]", "NG0012", "GpuMinWeights: expected a positive number of weights, found -5" },
        { "[Network(input: 2, Strategy = »(NetworkStrategy)7)]\n[Relu]", "NG0012", "Strategy: expected a value of NetGen.NetworkStrategy, found 7" },
        { "[Network(input: 2, Gpu = »(GpuLayers)9)]\n[Relu]", "NG0012", "Gpu: expected a value of NetGen.GpuLayers, found 9" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_attribute_error_is_reported_at_its_place_and_produces_no_code(string attributes, string id, string message)
    {
        var (source, line, column) = Marked.Parse("using NetGen;\n" + attributes + "\npublic static partial class Net;");

        GeneratorHarness.Run(source, ("/net.netgen.json", """{ "format": "netgen/1", "input": 2, "layers": [ { "op": "relu" } ] }"""))
            .AssertSingleError(id, "Source0.cs", line, column, message);
    }

    [Fact]
    public void Layers_on_another_partial_declaration_are_reported()
    {
        const string source = """
            using NetGen;

            [Network(input: 2)]
            [Relu]
            public static partial class Net;

            [Tanh]
            public static partial class Net;
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0105", diagnostic.Id);
        Assert.Equal(6, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("[Tanh] is on another partial declaration than [Network]", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void An_attribute_that_does_not_compile_is_left_to_the_compiler()
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n[Network(input: 2)]\n[Linear(1, 42)]\npublic static partial class Net;");
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Sources);
        Assert.Contains(run.Compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }
}
