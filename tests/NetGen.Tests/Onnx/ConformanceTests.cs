using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using NetGen.Onnx;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Onnx;

public sealed class ConformanceTests
{
    public static TheoryData<string, string> NodeTests
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var suite in new[] { Conformance.Subset, Conformance.All })
            {
                foreach (string name in suite.Names)
                {
                    data.Add(suite.Folder, name);
                }
            }

            return data;
        }
    }

    /// <summary>
    /// Every node test the importer accepts gives ONNX's expected outputs within the format's
    /// bound, 1e-5·(1 + |expected|), far tighter than ONNX's own rtol 1e-3.
    /// </summary>
    [ConformanceTheory]
    [MemberData(nameof(NodeTests))]
    public void Node_test_gives_the_expected_outputs(string suite, string test)
    {
        var conformance = Conformance.Named(suite);
        var c = conformance.Case(test);
        var network = conformance.Network(c);
        int inputSize = (int)conformance.Constant(c, "InputSize");
        int outputSize = (int)conformance.Constant(c, "OutputSize");
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
    /// Which node tests pass and which are skipped, with the reasons, is a golden file per suite:
    /// a test that starts or stops importing shows up in review instead of changing a count
    /// quietly. The whole suite's file opens with the skips counted by reason.
    /// </summary>
    [Theory]
    [InlineData(Conformance.SubsetName, "onnx-conformance.txt")]
    [InlineData(Conformance.AllName, "onnx-conformance-all.txt")]
    public void The_list_of_supported_and_skipped_node_tests_is_the_recorded_one(string suite, string golden)
    {
        var conformance = Conformance.Named(suite);
        var cases = conformance.Names.Select(conformance.Case).ToList();
        int passing = cases.Count(c => c.SkipReason is null);
        var report = new StringBuilder();
        report.Append($"ONNX 1.12 node tests: {cases.Count} in all, {passing} imported and checked, {cases.Count - passing} skipped.\n");
        report.Append($"Supported ops: {string.Join(", ", OnnxImporter.SupportedOps)}.\n\n");
        if (suite == Conformance.AllName)
        {
            report.Append("Skipped, by reason:\n");
            foreach (var group in cases.Where(c => c.SkipReason is not null).GroupBy(c => Category(c.SkipReason!)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
            {
                report.Append($"  {group.Count(),4}  {group.Key}\n");
            }

            report.Append($"\nOps not read, with their tests: {UnsupportedOps(cases)}.\n\n");
        }

        foreach (var c in cases)
        {
            // The importer's messages end with the list of supported ops; once is enough here.
            string? reason = c.SkipReason?.Split("; supported: ")[0];
            report.Append(reason is null ? $"pass  {c.Name}\n" : $"skip  {c.Name}: {reason}\n");
        }

        Golden.Verify(golden, report.ToString());
    }

    /// <summary>
    /// A skip's reason without the node or tensor that gave it: ops the importer does not read,
    /// data types and kinds of input NetGen networks do not take, and uses of a supported op
    /// that the format does not express.
    /// </summary>
    private static string Category(string reason)
    {
        var node = Regex.Match(reason, @"^node .*?, (?<op>\w+): (?<why>.*)$", RegexOptions.Singleline);
        if (node.Success)
        {
            return node.Groups["why"].Value.StartsWith("unsupported op", StringComparison.Ordinal)
                ? "an op the importer does not read (counted by op below)"
                : $"{node.Groups["op"].Value}: a use the format does not express";
        }

        if (Regex.Match(reason, @"^(?:input|tensor) '[^']*' (?:holds|has data type) (?<type>\w+)") is { Success: true } type)
        {
            return $"data of type {type.Groups["type"].Value} (NetGen networks compute float32)";
        }

        if (Regex.IsMatch(reason, @"^input '[^']*' is not a tensor"))
        {
            return "an input that is not a tensor (a sequence, an optional, a map)";
        }

        return Regex.Replace(reason, @"(?<=\s)'[^']*'", "'…'").Split("; ")[0];
    }

    /// <summary>The ops the importer does not read, with the number of node tests each keeps out.</summary>
    private static string UnsupportedOps(IEnumerable<ConformanceCase> cases) => string.Join(", ", cases
        .Select(c => c.SkipReason is { } r ? Regex.Match(r, @", \w+: unsupported op (?<op>\w+)") : Match.Empty)
        .Where(m => m.Success)
        .GroupBy(m => m.Groups["op"].Value)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => $"{g.Key} {g.Count()}"));

    private static float[] Values(string path) =>
        OnnxTensors.Read(Conformance.ReadTensor(path), null, m => new InvalidDataException(m)).Values;
}
