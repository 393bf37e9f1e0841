using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// The plan as text: every decision the planner made, one line each, so decisions are read and
/// tested as data (golden files, <c>netgen plan</c>) rather than found in generated C#.
/// </summary>
/// <remarks>
/// Deterministic and culture-invariant. Sections: the network's settings; the steps in order,
/// each with its layer, op, tensors and decisions (strategy, generated method, what it fuses and
/// where, placement); the tensors with their scratch slices; the constants with their storage.
/// </remarks>
internal static class PlanWriter
{
    public static string Write(NetworkPlan plan)
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line.TrimEnd()).Append('\n');

        Line($"plan of {plan.SourceFileName}");
        Line($"  input {Int(plan.InputSize)}, output {Int(plan.OutputSize)} ({plan.OutputTensor}), {Int(plan.ParameterCount)} parameters");
        Line($"  strategy {Name(plan.Strategy)}; "
            + (plan.InLocals ? "tensors in locals, no scratch; " : $"scratch {Int(plan.ScratchLength)} floats; ")
            + (plan.HasBatchCore ? $"ForwardBatch in blocks of {Int(plan.BatchRows)} rows" : "ForwardBatch one row at a time")
            + "; " + (plan.GpuSession ? "GPU session" : plan.HasGpuLayers ? "GPU layers, no session (NetGen.Gpu not referenced)" : "no GPU")
            + (plan.SkipLocalsInit ? "; SkipLocalsInit" : string.Empty)
            + (plan.Language == OutputLanguage.CSharp9 ? "; C# 9" : string.Empty));

        Line();
        Line("steps");
        var sizes = plan.Tensors.ToDictionary(t => t.Name, t => t.Size);
        sizes[NetworkPlan.Input] = plan.InputSize;
        var rows = new List<string[]>();
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            string flow = string.Join(", ", step.Inputs) + " → " + step.Output + " [" + Int(sizes[step.Output]) + "]";
            var decisions = new List<string>();
            if (step.Kind == StepKind.Linear)
            {
                decisions.Add(Name(step.Strategy) + (step.Method.Length > 0 ? " " + step.Method : string.Empty));
            }

            if (step.Fuses != Fusion.None && i + 1 < plan.Steps.Count)
            {
                var fused = new[] { Fusion.Forward, Fusion.Batch, Fusion.Device }.Where(f => step.Fuses.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant());
                decisions.Add($"fuses {plan.Steps[i + 1].Output} ({string.Join(", ", fused)})");
            }

            if (step.OnDevice)
            {
                decisions.Add("on device");
            }

            string weights = string.Join(" ", step.Weights.Where(w => w.Length > 0));
            rows.Add(new[] { Int(i + 1), "layer " + step.Layer, Op(step), flow, weights, string.Join("; ", decisions) });
        }

        WriteTable(rows, Line);

        Line();
        Line("tensors");
        WriteTable(plan.Tensors.Select(t => new[]
        {
            t.Name,
            Int(t.Size),
            t.ScratchOffset < 0 ? "the output span" : plan.InLocals ? "locals" : $"scratch {Int(t.ScratchOffset)}..{Int(t.ScratchOffset + t.Size - 1)}",
        }).ToList(), Line);

        Line();
        Line("weights");
        WriteTable(plan.Weights.Select(w => new[]
        {
            w.Name,
            string.Join(" × ", w.Shape.Select(d => Int(d))),
            w.Storage switch
            {
                WeightStorage.Inline => "literals in unrolled code",
                WeightStorage.Packed => $"packed in panels of {Int(Contract.PanelWidth)}",
                _ => "row-major",
            } + (w.External is { } file ? $", from {file.File} at byte {Int(file.Offset)}" : string.Empty),
        }).ToList(), Line);

        return text.ToString();
    }

    /// <summary>The op with its constants: an activation's arguments, a norm's epsilon.</summary>
    private static string Op(StepPlan step) => step.Kind switch
    {
        StepKind.Activation when step.Arguments.Count > 0 => step.OpName + "(" + string.Join(", ", step.Arguments.Select(a => a.ToString("R", CultureInfo.InvariantCulture))) + ")",
        StepKind.LayerNorm or StepKind.RmsNorm or StepKind.BatchNorm => step.OpName + "(ε " + step.Scalar.ToString("R", CultureInfo.InvariantCulture) + ")",
        StepKind.Slice => step.OpName + "(from " + step.Scalar.ToString(CultureInfo.InvariantCulture) + ")",
        StepKind.Mask => step.OpName + "(input from " + step.Arguments[0].ToString(CultureInfo.InvariantCulture) + ", fill " + step.Scalar.ToString("R", CultureInfo.InvariantCulture) + ")",
        StepKind.ArgMax => step.OpName + "(groups " + string.Join(", ", step.Arguments.Select(a => a.ToString(CultureInfo.InvariantCulture))) + ")",
        _ => step.OpName,
    };

    private static void WriteTable(List<string[]> rows, System.Action<string> line)
    {
        if (rows.Count == 0)
        {
            line("  (none)");
            return;
        }

        int columns = rows[0].Length;
        int[] widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            line("  " + string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))));
        }
    }

    private static string Name(NetworkStrategy strategy) => strategy.ToString().ToLowerInvariant();

    private static string Name(LinearStrategy strategy) => strategy.ToString().ToLowerInvariant();

    private static string Int(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
