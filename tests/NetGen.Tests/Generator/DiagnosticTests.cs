using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>Every error of the format's Errors list is a diagnostic at its line and column, and produces no code.</summary>
public sealed class DiagnosticTests
{
    private const string Source = """
        namespace App;

        [NetGen.Network("models/net.netgen.json")]
        public static partial class Net;
        """;

    /// <summary>Each case marks with '»' the place its diagnostic must start; the marker is removed before the run.</summary>
    public static TheoryData<string, string, string> JsonErrors => new()
    {
        { "{\n  \"format\": \"netgen/1\",\n  \"input\": 2\n  »\"layers\": []\n}", "NG0001", "expected ',' or '}', found '\"'" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } »", "NG0001", "found the end of the document" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\", \"alpha\": 1e» } ] }", "NG0001", "expected a digit in the exponent, found ' '" },
        { "{ \"format\": »\"netgen/2\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ] }", "NG0002", "Expected \"format\": \"netgen/1\", found \"netgen/2\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\", »\"alpha\": 1 } ] }", "NG0003", "Unknown key \"alpha\" in a relu layer; expected one of: op, name" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ], »\"colour\": \"red\" }", "NG0003", "Unknown key \"colour\" in the description; expected one of: format, input, layers, description" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 1], \"dtype\": \"f32\", \"base64\": \"AACAPw==\", »\"order\": \"C\" } } ] }", "NG0003", "Unknown key \"order\" in the tensor \"weight\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [\n  »{ \"op\": \"linear\", \"weight\": [[1, 2]] }\n] }", "NG0004", "Missing key \"out\" in a linear layer" },
        { "»{ \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ] }", "NG0004", "Missing key \"format\" in the description" },
        { "{ \"format\": \"netgen/1\", \"input\": »\"2\", \"layers\": [ { \"op\": \"relu\" } ] }", "NG0005", "Expected a positive integer for \"input\", found a string" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[1, »\"2\"]] } ] }", "NG0005", "Expected a number for an element of \"weight\", found a string" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": »\"conv2d\" } ] }", "NG0006", "Unknown op \"conv2d\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[1, 1]], \"activation\": »\"swishy\" } ] }", "NG0006", "Unknown op \"swishy\"; expected one of: identity, dropout, relu" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [\n  { \"op\": \"linear\", \"out\": 1,\n    \"weight\": »[[1, 2, 3]] }\n] }", "NG0007", "layer 1 (linear) \"weight\": expected 2 columns (the size of this layer's input), found 3 columns" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ »{ \"op\": \"residual\", \"layers\": [ { \"op\": \"linear\", \"out\": 3, \"weight\": [[1, 1], [1, 1], [1, 1]] } ] } ] }", "NG0007", "expected inner layers that keep the size 2 (y = x + f(x)), found layers that end with size 3" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 2, \"weight\": [[1, 2], [3, 4]], \"bias\": »[1, 2, 3] } ] }", "NG0008", "layer 1 (linear) \"bias\": expected shape [2], found shape [3]" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 3, \"weight\": [[1, 2], [3, 4]] } ] }".Replace("\"weight\": [[", "\"weight\": »[["), "NG0008", "expected shape [3, 2] (3 rows from \"out\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 2, \"weight\": [[1, 2], »[3]] } ] }", "NG0008", "row 2 of \"weight\": expected 2 elements (every row as long as the first), found 1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": »[1, 2] } ] }", "NG0008", "\"weight\": expected a matrix (an array of rows), found a flat array of 2 numbers" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"base64\": »\"AACAPw==\" } } ] }", "NG0008", "expected 2 float32 values (8 bytes) for shape [1, 2], found 4 bytes" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"affine\", \"scale\": »[1, 2, 3] } ] }", "NG0008", "layer 1 (affine) \"scale\": expected a number or shape [2], found shape [3]" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ »{ \"op\": \"affine\" } ] }", "NG0004", "Missing key \"scale\" in an affine layer (which needs \"scale\", \"shift\" or both)" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"affine\", \"shift\": »\"2\" } ] }", "NG0005", "Expected a number or a vector (an array of numbers) for \"shift\", found a string" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ], \"inputs\": [ { \"name\": »\"a\", \"size\": 1 } ] }", "NG0007", "\"inputs\": expected parts whose sizes add up to \"input\", 2, found sizes that add up to 1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ], \"inputs\": [ { \"name\": \"a\", \"size\": 2 } ], \"constants\": [ { \"name\": »\"a_size\", \"values\": 1 } ] }", "NG0015", "The member \"ASize\" is defined twice" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ], \"constants\": [ { \"name\": »\"input_size\", \"values\": [1, 2] } ] }", "NG0010", "Invalid name \"InputSize\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\" } ], \"constants\": [ »{ \"name\": \"c\" } ] }", "NG0004", "Missing key \"values\" in a constant" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"slice\", \"end\": »3 } ] }", "NG0007", "layer 1 (slice) \"end\": expected at most the size of this layer's input, 2, found 3" },
        { "{ \"format\": \"netgen/1\", \"input\": 4, \"layers\": [ { \"op\": \"slice\", \"start\": »2, \"end\": 2 } ] }", "NG0012", "layer 1 (slice) \"start\": expected a feature before \"end\" (2), found 2" },
        { "{ \"format\": \"netgen/1\", \"input\": 4, \"layers\": [ { \"op\": \"slice\", \"start\": »1.5 } ] }", "NG0012", "\"start\": expected an integer from 0 to 16777216, found 1.5" },
        { "{ \"format\": \"netgen/1\", \"input\": 3, \"layers\": [ { \"op\": \"slice\", \"end\": 1 }, { \"op\": \"mask\", \"input\": »\"actions\" } ], \"inputs\": [ { \"name\": \"obs\", \"size\": 1 }, { \"name\": \"masks\", \"size\": 2 } ] }", "NG0012", "layer 2 (mask) \"input\": expected the name of an input part (\"obs\", \"masks\"), found \"actions\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 3, \"layers\": [ { \"op\": \"slice\", \"end\": 2 }, { \"op\": \"mask\", \"input\": \"masks\", \"start\": »1 } ], \"inputs\": [ { \"name\": \"obs\", \"size\": 1 }, { \"name\": \"masks\", \"size\": 2 } ] }", "NG0007", "layer 2 (mask) \"start\": expected a start from which this layer's 2 features fit in the input part \"masks\" (2 features), found 1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"mask\", \"start\": »1 } ] }", "NG0007", "layer 1 (mask) \"start\": expected a start from which this layer's 2 features fit in the network's input (2 features), found 1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"mask\", \"fill\": »1e39 } ] }", "NG0012", "\"fill\": expected a finite number, found 1e39" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"argmax\", \"groups\": »[1, 2] } ] }", "NG0007", "layer 1 (argmax) \"groups\": expected group sizes that add up to this layer's input, 2, found sizes that add up to 3" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"argmax\", \"groups\": [2, »0] } ] }", "NG0012", "an element of \"groups\": expected an integer from 1 to 16777216, found" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"argmax\", \"last\": »1 } ] }", "NG0005", "Expected true or false for \"last\", found" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[»1e39, 2]] } ] }", "NG0009", "found 1e39 (it rounds to infinity in float32)" },
        { "{ \"format\": \"netgen/1\", \"input\": 1, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 1], \"dtype\": \"f32\", \"base64\": »\"AADAfw==\" } } ] }", "NG0009", "element 0 of the \"base64\" data of \"weight\": expected a finite float32 value, found NaN" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\", \"name\": »\"2fast\" } ] }", "NG0010", "Invalid name \"2fast\": expected letters, digits and '_', starting with a letter" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\", \"name\": »\"Cache\" } ] }", "NG0010", "other than a member NetGen generates" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"relu\", \"name\": \"a\" },\n  { \"op\": \"tanh\", \"name\": »\"a\" } ] }", "NG0011", "The cache field \"a\" is defined twice" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[1, 1]] }, { \"op\": \"relu\", \"name\": »\"Z1\" } ] }", "NG0011", "The cache field \"Z1\" is defined twice" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"layer_norm\", \"eps\": »0 } ] }", "NG0012", "\"eps\": expected a positive number, found 0" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"leaky_relu\", \"alpha\": »1e39 } ] }", "NG0009", "\"alpha\": expected a finite float32 value, found 1e39" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"dropout\", \"p\": »1 } ] }", "NG0012", "\"p\": expected a probability in [0, 1), found 1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"gelu\", \"approximate\": »\"fast\" } ] }", "NG0012", "\"approximate\": expected \"none\" or \"tanh\", found \"fast\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": »[] }", "NG0012", "expected at least one layer, found an empty array" },
        { "{ \"format\": \"netgen/1\", \"input\": »0, \"layers\": [ { \"op\": \"relu\" } ] }", "NG0012", "\"input\": expected an integer from 1 to 16777216, found 0" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"gpu\": »\"sometimes\", \"layers\": [ { \"op\": \"relu\" } ] }", "NG0012", "\"gpu\": expected \"none\", \"large\" or \"all\", found \"sometimes\"" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"gpu_min_weights\": »0.5, \"layers\": [ { \"op\": \"relu\" } ] }", "NG0012", "\"gpu_min_weights\": expected a positive integer, found 0.5" },
        { "{ \"format\": \"netgen/1\", \"input\": 1, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[2]], \"gpu\": »1 } ] }", "NG0005", "Expected true or false for \"gpu\", found a number" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"dropout\", \"p\": »1 } ] }", "NG0012", "\"p\": expected a probability in [0, 1), found 1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"batch_norm\", \"running_mean\": [0, 0], \"running_var\": »[1, -1] } ] }", "NG0012", "element 2 of \"running_var\": expected a variance of 0 or more, found -1" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"file\": »\"w.bin\" } } ] }", "NG0013", "Weight file \"w.bin\": expected a NetGenWeights item of the project at /src/app/models/w.bin, found none (list the file as <NetGenWeights Include=\"...\" /> so the build embeds it)" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, »\"input\": 3, \"layers\": [ { \"op\": \"relu\" } ] }", "NG0014", "Key \"input\" appears more than once in the description" },
    };

    [Theory]
    [MemberData(nameof(JsonErrors))]
    public void A_json_error_is_reported_at_its_line_and_column_and_produces_no_code(string marked, string id, string message)
    {
        var (json, line, column) = Marked.Parse(marked);
        GeneratorHarness.Run(Source, ("/src/app/models/net.netgen.json", json))
            .AssertSingleError(id, "/src/app/models/net.netgen.json", line, column, message);
    }

    /// <summary>Errors of <c>"file"</c> tensors, in a build whose only weight file is /src/app/models/w.bin, 16 bytes.</summary>
    public static TheoryData<string, string, string> WeightFileErrors => new()
    {
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"file\": »\"w.bin\", \"offset\": 12 } } ] }",
            "NG0013", "Weight file \"w.bin\": expected at least 20 bytes (offset 12 plus 2 float32 values for shape [1, 2]), found 16 bytes" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"file\": »\"../w.bin\" } } ] }",
            "NG0013", "Weight file \"../w.bin\": expected a NetGenWeights item of the project at /src/app/w.bin, found none" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"file\": \"w.bin\", »\"base64\": \"AAAAAAAAAAA=\" } } ] }",
            "NG0003", "Unknown key \"base64\" in the tensor \"weight\" with a \"file\"; expected one of: shape, dtype, file, offset" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"file\": \"w.bin\", \"offset\": »-4 } } ] }",
            "NG0012", "\"offset\": expected a byte offset: an integer of 0 or more, found -4" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": { \"shape\": [1, 2], \"dtype\": \"f32\", \"file\": »3 } } ] }",
            "NG0005", "Expected a file name relative to the description for \"file\", found a number" },
        { "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"batch_norm\", \"running_mean\": »{ \"shape\": [2], \"dtype\": \"f32\", \"file\": \"w.bin\" }, \"running_var\": [1, 1] } ] }",
            "NG0012", "\"running_mean\" of a batch_norm layer: expected numbers or \"base64\" data (batch_norm is folded into constants at build time), found a \"file\" tensor" },
        { "{ \"format\": \"netgen/1\", \"input\": 65536, \"layers\": [ { \"op\": \"linear\", \"out\": 65536, \"weight\": { \"shape\": »[65536, 65536], \"dtype\": \"f32\", \"file\": \"w.bin\" } } ] }",
            "NG0008", "the \"shape\" of \"weight\": expected at most 1073741824 elements (a span's length), found [65536, 65536], 4294967296 elements" },
    };

    [Theory]
    [MemberData(nameof(WeightFileErrors))]
    public void A_weight_file_error_is_reported_at_its_key_and_produces_no_code(string marked, string id, string message)
    {
        var (json, line, column) = Marked.Parse(marked);
        GeneratorHarness.Run([Source], [("/src/app/models/net.netgen.json", json)], weightFiles: GeneratorHarness.WeightFileTable(("/src/app/models/w.bin", 16, "NetGen.Weights/models/w.bin")))
            .AssertSingleError(id, "/src/app/models/net.netgen.json", line, column, message);
    }

    [Fact]
    public void A_weight_file_named_through_a_folder_is_found_and_read_from_its_resource()
    {
        string json = """{ "format": "netgen/1", "input": 2, "layers": [ { "op": "linear", "out": 1, "weight": { "shape": [1, 2], "dtype": "f32", "file": "./data/../data/w.bin", "offset": 8 } } ] }""";
        GeneratorRun run = GeneratorHarness.Run([Source], [("/src/app/models/net.netgen.json", json)], weightFiles: GeneratorHarness.WeightFileTable(("/src/app/models/data/w.bin", 16, "NetGen.Weights/models/data/w.bin")));
        Assert.Empty(run.Diagnostics);
        Assert.Contains("new(typeof(Weights).Assembly, \"NetGen.Weights/models/data/w.bin\", 8, 2);", run.Sources.Single().SourceText.ToString());
    }

    [Fact]
    public void Every_diagnostic_of_the_catalogue_has_a_row_in_the_README_and_in_the_release_file()
    {
        var root = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
        while (!System.IO.File.Exists(System.IO.Path.Combine(root.FullName, "NetGen.sln")))
        {
            root = root.Parent!;
        }

        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(root.FullName, "README.md"));
        string releases = System.IO.File.ReadAllText(System.IO.Path.Combine(root.FullName, "src", "NetGen.Generator", "Diagnostics", "AnalyzerReleases.Unshipped.md"))
            + System.IO.File.ReadAllText(System.IO.Path.Combine(root.FullName, "src", "NetGen.Generator", "Diagnostics", "AnalyzerReleases.Shipped.md"));
        // Every descriptor field is in the catalogue's index, and every id has its rows.
        var fields = typeof(NetGen.Generator.Diagnostics.DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id);
        var ids = NetGen.Generator.Diagnostics.DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(id => id, System.StringComparer.Ordinal).ToList();
        Assert.Equal(fields.OrderBy(id => id, System.StringComparer.Ordinal), ids);
        Assert.All(ids, id => Assert.Contains($"| {id} |", readme));
        Assert.All(ids, id => Assert.Contains($"{id} | NetGen |", releases));
    }

    [Fact]
    public void Every_error_of_a_description_is_reported_in_one_build()
    {
        string json = """
            { "format": "netgen/1", "input": 2, "colour": "red", "layers": [
              { "op": "linear", "out": 2, "weight": [[1, 2], [3, 4]], "bais": [1, 2] },
              { "op": "layer_norm", "eps": -1 },
              { "op": "mystery" }
            ] }
            """;
        GeneratorRun run = GeneratorHarness.Run(Source, ("/src/app/models/net.netgen.json", json));
        Assert.Equal(["NG0003", "NG0003", "NG0012", "NG0006"], run.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void A_path_that_matches_no_additional_file_is_reported_on_the_attribute_argument()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, ("/src/app/other/net.netgen.json", "{}"));
        Diagnostic diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "NG0101");
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(3, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(17, diagnostic.Location.GetLineSpan().StartLinePosition.Character + 1);
        Assert.Contains("found: net.netgen.json", diagnostic.GetMessage());
    }

    [Fact]
    public void A_path_must_match_at_a_folder_boundary()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, ("/src/app/bigmodels/net.netgen.json", Valid));
        Assert.Single(run.Diagnostics, d => d.Id == "NG0101");
    }

    [Fact]
    public void A_path_that_matches_several_additional_files_is_ambiguous()
    {
        const string source = """
            [NetGen.Network("net.netgen.json")]
            public static partial class Net;
            """;
        GeneratorRun run = GeneratorHarness.Run(source, ("/a/net.netgen.json", Valid), ("/b/net.netgen.json", Valid));
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0102", diagnostic.Id);
        Assert.Contains("/a/net.netgen.json, /b/net.netgen.json", diagnostic.GetMessage());
    }

    [Fact]
    public void An_onnx_path_binds_the_description_the_build_converted_from_it()
    {
        const string source = """
            [NetGen.Network("Models/digits.onnx")]
            public static partial class Net;
            """;
        GeneratorRun run = GeneratorHarness.Run(source, ("/src/app/obj/Release/net10.0/netgen/digits.onnx.netgen.json", Valid));
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
    }

    [Fact]
    public void An_onnx_path_without_its_netgen_model_item_says_how_to_add_it()
    {
        const string source = """
            [NetGen.Network("Models/digits.onnx")]
            public static partial class Net;
            """;
        GeneratorRun run = GeneratorHarness.Run(source, ("/src/app/obj/netgen/other.onnx.netgen.json", Valid));
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0101", diagnostic.Id);
        Assert.EndsWith("an ONNX model is converted at build time when the project names it as <NetGenModel Include=\"Models/digits.onnx\" />", diagnostic.GetMessage());
    }

    [Fact]
    public void Either_slash_and_a_leading_dot_folder_match()
    {
        const string source = """
            [NetGen.Network(@".\models\net.netgen.json")]
            public static partial class Net;
            """;
        GeneratorRun run = GeneratorHarness.Run(source, (@"C:\src\app\models\net.netgen.json", Valid));
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
    }

    [Theory]
    [InlineData("[NetGen.Network(\"net.netgen.json\")] public partial class Net;", "found a class that is not static")]
    [InlineData("[NetGen.Network(\"net.netgen.json\")] public static class Net;", "found a class that is not partial")]
    [InlineData("public class Outer { [NetGen.Network(\"net.netgen.json\")] public static partial class Net; }", "found the containing type 'Outer', which is not partial")]
    public void A_class_that_is_not_static_and_partial_is_reported(string source, string found)
    {
        GeneratorRun run = GeneratorHarness.Run(source, ("/net.netgen.json", Valid));
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0103", diagnostic.Id);
        Assert.Contains("'Net' must be a static partial class", diagnostic.GetMessage());
        Assert.Contains(found, diagnostic.GetMessage());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void An_empty_path_is_reported()
    {
        GeneratorRun run = GeneratorHarness.Run("[NetGen.Network(\"\")] public static partial class Net;", ("/net.netgen.json", Valid));
        Assert.Equal("NG0104", Assert.Single(run.Diagnostics).Id);
    }

    private const string Valid = """{ "format": "netgen/1", "input": 2, "layers": [ { "op": "relu" } ] }""";

    [Fact]
    public void GPU_layers_without_NetGen_Gpu_are_a_warning_and_the_cpu_code_is_still_generated()
    {
        var (source, line, column) = Marked.Parse("""
            namespace App;

            [NetGen.Network(»"models/net.netgen.json")]
            public static partial class Net;
            """);
        const string json = """{ "format": "netgen/1", "input": 1, "gpu": "all", "layers": [ { "op": "linear", "out": 1, "weight": [[2]] } ] }""";

        var run = GeneratorHarness.Run(new[] { source }, new[] { ("/p/models/net.netgen.json", json) }, withGpu: false);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(("NG0109", DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal(
            "Network 'Net' places layers on the GPU, but the project does not reference NetGen.Gpu: expected a reference to it for CreateGpuSession, found none (the CPU code is generated as usual)",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal((line, column), (span.StartLinePosition.Line, span.StartLinePosition.Character));
        string generated = run.Source("App.Net.g.cs");
        Assert.Contains("public static void ForwardBatch(", generated);
        Assert.DoesNotContain("CreateGpuSession", generated);

        // With the reference, the same network gets its session and no warning.
        var withGpu = GeneratorHarness.Run(new[] { source }, new[] { ("/p/models/net.netgen.json", json) });
        Assert.Empty(withGpu.Diagnostics);
        Assert.Contains("public static global::NetGen.Gpu.GpuSession CreateGpuSession(global::NetGen.Gpu.GpuDevice device, int maxRows = 1024)", withGpu.Source("App.Net.g.cs"));
    }
}
