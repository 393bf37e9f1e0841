using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>
/// The network's summary as a table, in the manner of torchinfo: one row per tensor with its
/// op, output size, parameters and multiply-adds, then the totals. The generated file's header
/// and <c>netgen summary</c> print the same lines.
/// </summary>
internal static class SummaryTable
{
    public static IReadOnlyList<string> Lines(NetworkPlan plan)
    {
        var rows = new List<string[]> { new[] { "Tensor", "Op", "Output", "Parameters", "Multiply-adds" } };
        rows.Add(new[] { NetworkPlan.Input, "input", Literals.Int(plan.InputSize), string.Empty, string.Empty });
        rows.AddRange(plan.Summary.Select(r => new[] { r.Tensor, r.Op, Literals.Int(r.OutputSize), Group(r.Parameters), Group(r.MultiplyAdds) }));
        rows.Add(new[] { "Total", string.Empty, string.Empty, Group(plan.ParameterCount), Group(plan.Summary.Sum(r => r.MultiplyAdds)) });
        int[] widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var lines = new List<string>();
        for (int i = 0; i < rows.Count; i++)
        {
            if (i == 1 || i == rows.Count - 1)
            {
                lines.Add(string.Join("  ", widths.Select(n => new string('-', n))));
            }

            var r = rows[i];
            lines.Add((r[0].PadRight(widths[0]) + "  " + r[1].PadRight(widths[1]) + "  " + r[2].PadLeft(widths[2])
                + "  " + r[3].PadLeft(widths[3]) + "  " + r[4].PadLeft(widths[4])).TrimEnd());
        }

        return lines;
    }

    /// <summary>A count with thousands separators, culture-invariant: 2,778.</summary>
    public static string Group(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
