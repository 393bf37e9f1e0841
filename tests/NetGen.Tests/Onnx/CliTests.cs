using System;
using System.IO;
using System.Linq;
using NetGen.Cli;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Onnx;

/// <summary>The <c>netgen</c> command, run in process with its output captured.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Lesson => Fixtures.NetworkPath("lesson.netgen.json");

    private static string TorchBlock => Path.Combine(AppContext.BaseDirectory, "Onnx", "Models", "torch-block.onnx");

    [Fact]
    public void Import_writes_a_description_that_compiles()
    {
        string target = Path.Combine(_folder, "block.netgen.json");
        var (code, output, error) = Run("import", TorchBlock, "-o", target);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Equal($"Wrote {target}: 12 inputs, 5 outputs, 2,053 parameters.", output.Trim());
        Assert.StartsWith("{\n  \"format\": \"netgen/1\",\n  \"description\": \"Imported from torch-block.onnx (pytorch 1.13.0, opset 17) by netgen import.\"", File.ReadAllText(target));
    }

    [Fact]
    public void Import_computes_the_graph_output_it_is_told()
    {
        string model = Path.Combine(AppContext.BaseDirectory, "Onnx", "Models", "mlagents-policy.onnx");
        string target = Path.Combine(_folder, "policy.netgen.json");
        var (code, output, error) = Run("import", model, "--graph-output", "deterministic_continuous_actions", "-o", target);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Equal($"Wrote {target}: 12 inputs, 2 outputs, 18,434 parameters.", output.Trim());

        (code, _, error) = Run("import", model);
        Assert.Equal(NetGenCli.BadInput, code);
        Assert.Contains("the graph computes 2 outputs ('deterministic_continuous_actions', 'deterministic_discrete_actions')", error);
    }

    [Fact]
    public void Summary_prints_the_table_with_totals()
    {
        var (code, output, _) = Run("summary", Lesson);
        Assert.Equal(0, code);
        Assert.Equal(
            """
            lesson.netgen.json: 2 inputs, 1 output, 14 parameters

            Tensor  Op       Output  Parameters  Multiply-adds
            ------  -------  ------  ----------  -------------
            input   input         2
            Z1      linear        3           6              6
            A1      relu          3           0              0
            Z2      linear        2           6              6
            A2      relu          2           0              0
            Z3      linear        1           2              2
            A3      sigmoid       1           0              0
            ------  -------  ------  ----------  -------------
            Total                            14             14

            """.ReplaceLineEndings(), output);
    }

    [Fact]
    public void Trace_prints_every_tensor_of_the_lesson()
    {
        var (code, output, _) = Run("trace", Lesson, "3", "1");
        Assert.Equal(0, code);
        Assert.Equal(
            """
            lesson.netgen.json on input [3, 1]:
              Z1 = W1 · input                       [3]  3  1  -2
              A1 = max(0, Z1)                       [3]  3  1  0
              Z2 = W2 · A1                          [2]  2  1
              A2 = max(0, Z2)                       [2]  2  1
              Z3 = W3 · A2                          [1]  3
              A3 = sigmoid(Z3) = 1 / (1 + e^(−Z3))  [1]  0.952574

            """.ReplaceLineEndings(), output);
    }

    [Fact]
    public void Trace_runs_a_network_whose_weights_are_in_a_file_and_agrees_with_the_build()
    {
        string description = Fixtures.NetworkPath("external.netgen.json");
        float[] x = Enumerable.Range(0, EndToEnd.External.InputSize).Select(i => (i % 7) - 3f).ToArray();
        var (code, output, error) = Run(["trace", description, .. x.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        Assert.True(code == 0, error);

        // The last line is the network's output: the same numbers the build's External computes.
        float[] y = new float[EndToEnd.External.OutputSize];
        EndToEnd.External.Forward(x, y);
        string last = output.TrimEnd().Split('\n')[^1];
        Assert.EndsWith(string.Join("  ", y.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))), last.TrimEnd());
    }

    [Fact]
    public void Trace_reads_an_onnx_model_directly_and_negative_values()
    {
        var (code, output, error) = Run("trace", TorchBlock, "--values", "2", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "-1");
        Assert.True(code == 0, error);
        Assert.Contains("A6ᵢ = Z6ᵢ − max Z6 − log Σⱼ e^(Z6ⱼ − max Z6)", output);
        Assert.Contains("… (3 more)", output);
    }

    [Fact]
    public void Emit_prints_what_the_generator_writes()
    {
        var (code, output, _) = Run("emit", Lesson, "--class", "Lesson", "--namespace", "Lessons");
        Assert.Equal(0, code);
        Assert.StartsWith("// <auto-generated/>", output);
        Assert.Contains("namespace Lessons", output);
        Assert.Contains("static partial class Lesson", output);
        Assert.Contains("public static void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output)", output);
    }

    [Theory]
    [InlineData("digits-v2.netgen.json", "DigitsV2")]
    [InlineData("model.onnx", "Model")]
    [InlineData("3layer.netgen.json", "Network3layer")]
    public void Class_names_come_from_file_names(string file, string name) => Assert.Equal(name, NetworkLoader.ClassName(file));

    [Fact]
    public void Bad_input_is_one_line_and_exit_code_2()
    {
        string missing = Path.Combine(_folder, "missing.onnx");
        AssertBadInput(Run("import", missing), $"error: {missing}: cannot read the file:");
        AssertBadInput(Run("summary", missing), $"error: {missing}: no such file");

        string notOnnx = Path.Combine(_folder, "text.onnx");
        File.WriteAllText(notOnnx, "not a model");
        AssertBadInput(Run("import", notOnnx), "error: text.onnx: not an ONNX model");

        AssertBadInput(Run("trace", Lesson, "3"), "error: the network takes 2 input values; 1 was given");
        AssertBadInput(Run("trace", Lesson, "3", "x"), "error: input value 2 is 'x'; expected a finite number");

        // A description with an error reports the generator's diagnostic, with line and column.
        string broken = Path.Combine(_folder, "broken.netgen.json");
        File.WriteAllText(broken, "{\n  \"format\": \"netgen/1\",\n  \"input\": 2,\n  \"layers\": [ { \"op\": \"conv\" } ]\n}\n");
        AssertBadInput(Run("summary", broken), $"{broken}(4,23): error NG0006: Unknown op \"conv\"");
    }

    [Fact]
    public void A_command_line_that_does_not_parse_is_exit_code_1()
    {
        var (code, _, error) = Run("import");
        Assert.Equal(1, code);
        Assert.NotEmpty(error);
    }

    private static void AssertBadInput((int Code, string Output, string Error) result, string start)
    {
        Assert.Equal(NetGenCli.BadInput, result.Code);
        Assert.Equal(string.Empty, result.Output);
        Assert.StartsWith(start, result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = new NetGenCli(output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }
}
