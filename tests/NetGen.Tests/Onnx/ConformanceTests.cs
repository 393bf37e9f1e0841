using System;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Onnx;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Onnx;

public sealed class ConformanceTests
{
    public static TheoryData<string> NodeTests => new(Conformance.Names);

    /// <summary>
    /// Every node test the importer accepts gives ONNX's expected outputs within the format's
    /// bound, 1e-5·(1 + |expected|), far tighter than ONNX's own rtol 1e-3.
    /// </summary>
    [ConformanceTheory]
    [MemberData(nameof(NodeTests))]
    public void Node_test_gives_the_expected_outputs(string test)
    {
        var c = Conformance.Case(test);
        var network = Conformance.Network(c);
        int inputSize = (int)Conformance.Constant(c, "InputSize");
        int outputSize = (int)Conformance.Constant(c, "OutputSize");
        Assert.NotEmpty(c.DataSets);
        foreach (string set in c.DataSets)
        {
            float[] x = Values(Path.Combine(set, "input_0.pb"));
            float[] expected = Values(Path.Combine(set, "output_0.pb"));
            Assert.Equal(0, x.Length % inputSize);
            int rows = x.Length / inputSize;
            Assert.Equal(rows * outputSize, expected.Length);

            var y = new float[expected.Length];
            network.ForwardBatch(x, y);
            for (int i = 0; i < y.Length; i++)
            {
                double bound = 1e-5 * (1 + Math.Abs(expected[i]));
                Assert.True(Math.Abs(y[i] - expected[i]) <= bound, $"{Path.GetFileName(set)}: output {i} is {y[i]:R}; ONNX expects {expected[i]:R} (bound {bound:G3})");
            }
        }
    }

    /// <summary>
    /// Which node tests pass and which are skipped, with the reasons, is a golden file: a test
    /// that starts or stops importing shows up in review instead of changing a count quietly.
    /// </summary>
    [Fact]
    public void The_list_of_supported_and_skipped_node_tests_is_the_recorded_one()
    {
        var cases = Conformance.Names.Select(Conformance.Case).ToList();
        int passing = cases.Count(c => c.SkipReason is null);
        var report = new StringBuilder();
        report.Append($"ONNX 1.12 node tests: {cases.Count} in all, {passing} imported and checked, {cases.Count - passing} skipped.\n");
        report.Append($"Supported ops: {string.Join(", ", OnnxImporter.SupportedOps)}.\n\n");
        foreach (var c in cases)
        {
            // The importer's messages end with the list of supported ops; once is enough here.
            string? reason = c.SkipReason?.Split("; supported: ")[0];
            report.Append(reason is null ? $"pass  {c.Name}\n" : $"skip  {c.Name}: {reason}\n");
        }

        Golden.Verify("onnx-conformance.txt", report.ToString());
    }

    private static float[] Values(string path) =>
        OnnxTensors.Read(Conformance.ReadTensor(path), null, m => new InvalidDataException(m)).Values;
}
